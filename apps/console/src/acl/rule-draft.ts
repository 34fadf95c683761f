// The rule form's state and its faithful translation to and from the policy JSON. The form
// does not validate: what the user typed goes to the server as typed, and the server's
// issues (by JSON path) come back to the fields (see field-issues.ts).
import { OPERATIONS, RULE_PRINCIPAL_TYPES, type RulePrincipalType } from '@modelgate/acl';
import type { PolicyDocument, PolicyMode } from '../api/acl-api';

export interface RuleDraft {
  /** Local identity for React lists; never sent. */
  readonly key: string;
  readonly id: string;
  readonly effect: 'allow' | 'deny';
  /** One of RULE_PRINCIPAL_TYPES when valid; any text otherwise, for the server to name. */
  readonly principalType: string;
  readonly principalValue: string;
  readonly operations: readonly string[];
  /** One CIDR per line (commas also separate). */
  readonly ipRanges: string;
  readonly rateLimit: string;
  /** RFC 3339 as stored, or '' for none. */
  readonly validFrom: string;
  readonly validUntil: string;
  readonly windowEnabled: boolean;
  readonly days: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly tz: string;
  /** Condition keys the form has no field for: kept and sent, so the server names them. */
  readonly otherConditions: Readonly<Record<string, unknown>>;
  /** Rule fields the form has no field for (same reason). */
  readonly otherFields: Readonly<Record<string, unknown>>;
}

let counter = 0;
const nextKey = (): string => `rule-${++counter}`;

export const PRINCIPAL_TYPES: readonly RulePrincipalType[] = RULE_PRINCIPAL_TYPES;
export const RULE_OPERATIONS: readonly string[] = OPERATIONS;

export function emptyRule(): RuleDraft {
  return {
    key: nextKey(),
    id: '',
    effect: 'allow',
    principalType: 'role',
    principalValue: '',
    operations: ['infer'],
    ipRanges: '',
    rateLimit: '',
    validFrom: '',
    validUntil: '',
    windowEnabled: false,
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '09:00',
    end: '18:00',
    tz: 'UTC',
    otherConditions: {},
    otherFields: {},
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [];

const RULE_FIELDS = new Set(['id', 'effect', 'principal', 'operations', 'conditions']);
const CONDITION_FIELDS = new Set(['ip_range', 'rate_limit', 'valid_from', 'valid_until', 'time_window']);

export function ruleToDraft(rule: Record<string, unknown>): RuleDraft {
  const principal = isRecord(rule['principal']) ? rule['principal'] : {};
  const conditions = isRecord(rule['conditions']) ? rule['conditions'] : {};
  const window = isRecord(conditions['time_window']) ? conditions['time_window'] : null;
  const base = emptyRule();
  return {
    ...base,
    id: text(rule['id']),
    effect: rule['effect'] === 'deny' ? 'deny' : 'allow',
    principalType: text(principal['type']) || 'role',
    principalValue: text(principal['value']),
    operations: strings(rule['operations']),
    ipRanges: strings(conditions['ip_range']).join('\n'),
    rateLimit: text(conditions['rate_limit']),
    validFrom: text(conditions['valid_from']),
    validUntil: text(conditions['valid_until']),
    windowEnabled: window !== null,
    ...(window
      ? {
          days: strings(window['days']),
          start: text(window['start']),
          end: text(window['end']),
          tz: text(window['tz']),
        }
      : {}),
    otherConditions: Object.fromEntries(Object.entries(conditions).filter(([k]) => !CONDITION_FIELDS.has(k))),
    otherFields: Object.fromEntries(Object.entries(rule).filter(([k]) => !RULE_FIELDS.has(k))),
  };
}

/** The CIDR list as typed: split on new lines and commas, blanks dropped, order kept. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** The line of the list field that holds item `index` of splitList (for errors at that line). */
export function listItemLine(value: string, index: number): number | null {
  const lines = value.split('\n');
  let seen = 0;
  for (let line = 0; line < lines.length; line++) {
    for (const item of lines[line]!.split(',')) {
      if (item.trim().length === 0) continue;
      if (seen === index) return line + 1;
      seen++;
    }
  }
  return null;
}

export function draftToRule(draft: RuleDraft): Record<string, unknown> {
  const rule: Record<string, unknown> = { ...draft.otherFields };
  if (draft.id.trim()) rule['id'] = draft.id.trim();
  rule['effect'] = draft.effect;
  rule['principal'] =
    draft.principalType === 'any'
      ? { type: 'any' }
      : { type: draft.principalType, value: draft.principalValue.trim() };
  rule['operations'] = [...draft.operations];
  const conditions: Record<string, unknown> = { ...draft.otherConditions };
  const ranges = splitList(draft.ipRanges);
  if (ranges.length > 0) conditions['ip_range'] = ranges;
  if (draft.rateLimit.trim()) conditions['rate_limit'] = draft.rateLimit.trim();
  if (draft.validFrom) conditions['valid_from'] = draft.validFrom;
  if (draft.validUntil) conditions['valid_until'] = draft.validUntil;
  if (draft.windowEnabled)
    conditions['time_window'] = { days: [...draft.days], start: draft.start, end: draft.end, tz: draft.tz };
  if (Object.keys(conditions).length > 0) rule['conditions'] = conditions;
  return rule;
}

export function draftsToDocument(
  model: string,
  mode: PolicyMode,
  drafts: readonly RuleDraft[],
): PolicyDocument {
  return { model, mode, rules: drafts.map(draftToRule) };
}

export function documentToDrafts(document: PolicyDocument | null): RuleDraft[] {
  return (document?.rules ?? []).map(ruleToDraft);
}
