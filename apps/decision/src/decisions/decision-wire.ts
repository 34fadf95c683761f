// The answers of the decision API as both transports write them (snake_case, RFC 3339 times).
import type { Decision, Explanation, ShadowDecision } from '@modelgate/acl';
import type { CheckAnswerV1, DecisionOutcomeV1, DecisionWireReason, RuleTraceV1 } from '@modelgate/contracts';

export function outcomeWire(outcome: ShadowDecision): DecisionOutcomeV1 {
  return {
    allow: outcome.allow,
    reason: outcome.reason,
    rule_id: outcome.ruleId,
    policy_version: outcome.policyVersion,
  };
}

export function checkAnswer(decisionId: string, decision: Decision): CheckAnswerV1 {
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

export function serviceDenial(decisionId: string, reason: DecisionWireReason): CheckAnswerV1 {
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

export function rulesWire(explanation: Explanation): RuleTraceV1[] {
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
