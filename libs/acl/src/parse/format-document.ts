// The normalised document back as JSON of the same shape the parser reads: what the policy
// service stores and shows, and what `parsePolicyDocument` turns into the same document.
import type { PolicyDocument, PolicyRule } from '../policy';
import { formatClock } from '../time-window';
import { formatTimestamp } from '../timestamp';

export interface PolicyDocumentJson {
  model: string;
  mode: 'enforce' | 'shadow';
  rules: PolicyRuleJson[];
}

export interface PolicyRuleJson {
  id?: string;
  effect: 'allow' | 'deny';
  principal: { type: string; value?: string };
  operations: string[];
  conditions?: {
    ip_range?: string[];
    rate_limit?: string;
    valid_from?: string;
    valid_until?: string;
    time_window?: { days: string[]; start: string; end: string; tz: string };
  };
}

export function formatPolicyDocument(document: PolicyDocument): PolicyDocumentJson {
  return { model: document.model, mode: document.mode, rules: document.rules.map(formatRule) };
}

function formatRule(rule: PolicyRule): PolicyRuleJson {
  const json: PolicyRuleJson = {
    effect: rule.effect,
    principal:
      rule.principal.value === null
        ? { type: rule.principal.type }
        : { type: rule.principal.type, value: rule.principal.value },
    operations: [...rule.operations],
  };
  // A generated id is the rule's position: writing it out would pin the rule to that place.
  if (!rule.generatedId) json.id = rule.id;
  const c = rule.conditions;
  const conditions: NonNullable<PolicyRuleJson['conditions']> = {};
  if (c.ipRange) conditions.ip_range = c.ipRange.map((cidr) => cidr.text);
  if (c.rateLimit) conditions.rate_limit = c.rateLimit.text;
  if (c.validFrom !== undefined) conditions.valid_from = formatTimestamp(c.validFrom);
  if (c.validUntil !== undefined) conditions.valid_until = formatTimestamp(c.validUntil);
  if (c.timeWindow) {
    const w = c.timeWindow;
    conditions.time_window = {
      days: [...w.days],
      start: formatClock(w.start),
      end: formatClock(w.end),
      tz: w.tz,
    };
  }
  if (Object.keys(conditions).length > 0) json.conditions = conditions;
  return json;
}
