// The answers of the decision API as both transports write them (snake_case, RFC 3339 times).
import type { Decision, Explanation, ShadowDecision } from '@modelgate/acl';
import type { DecisionWireReason } from '@modelgate/contracts';

export interface OutcomeWire {
  readonly allow: boolean;
  readonly reason: DecisionWireReason;
  readonly rule_id: string | null;
  readonly policy_version: number;
}

export interface CheckAnswer extends OutcomeWire {
  readonly decision_id: string;
  readonly shadow: OutcomeWire | null;
  readonly retry_at: string | null;
}

export interface VisibleModelsAnswer {
  readonly decision_id: string;
  readonly models: string[];
}

export interface ConditionTraceWire {
  readonly condition: string;
  readonly holds: boolean | null;
  readonly detail: string;
}

export interface RuleTraceWire {
  readonly document_model: string;
  readonly mode: string;
  readonly policy_version: number;
  readonly rule_id: string;
  readonly effect: string;
  readonly principal: string;
  readonly operations: readonly string[];
  readonly status: string;
  readonly failure: string | null;
  readonly conditions: readonly ConditionTraceWire[];
  readonly decisive: boolean;
  readonly shadow_decisive: boolean;
}

export interface ExplainAnswer {
  readonly decision_id: string;
  readonly decision: CheckAnswer;
  readonly time: string | null;
  readonly ip: string | null;
  readonly rules: readonly RuleTraceWire[];
}

export function outcomeWire(outcome: ShadowDecision): OutcomeWire {
  return {
    allow: outcome.allow,
    reason: outcome.reason,
    rule_id: outcome.ruleId,
    policy_version: outcome.policyVersion,
  };
}

export function checkAnswer(decisionId: string, decision: Decision): CheckAnswer {
  return {
    decision_id: decisionId,
    ...outcomeWire(decision),
    shadow: decision.shadow === null ? null : outcomeWire(decision.shadow),
    retry_at:
      decision.retryAt === null || !Number.isFinite(decision.retryAt)
        ? null
        : new Date(decision.retryAt).toISOString(),
  };
}

export function serviceDenial(decisionId: string, reason: DecisionWireReason): CheckAnswer {
  return {
    decision_id: decisionId,
    allow: false,
    reason,
    rule_id: null,
    policy_version: 0,
    shadow: null,
    retry_at: null,
  };
}

export function rulesWire(explanation: Explanation): RuleTraceWire[] {
  return explanation.rules.map((r) => ({
    document_model: r.documentModel,
    mode: r.mode,
    policy_version: r.policyVersion,
    rule_id: r.ruleId,
    effect: r.effect,
    principal: r.principal,
    operations: r.operations,
    status: r.status,
    failure: r.failure,
    conditions: r.conditions.map((c) => ({ condition: c.condition, holds: c.holds, detail: c.detail })),
    decisive: r.decisive,
    shadow_decisive: r.shadowDecisive,
  }));
}
