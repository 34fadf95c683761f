// What a check answers. Reasons are a closed set: transports map each to a status exactly once
// (`satisfies Record<DecisionReason, ...>`), so adding one is a compile error everywhere.

export const DECISION_REASONS = [
  'allowed',
  'no_matching_rule',
  'denied_by_rule',
  'ip_not_allowed',
  'not_yet_valid',
  'expired',
  'outside_time_window',
  'rate_limited',
  'invalid_request',
  'evaluation_error',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

export interface ShadowDecision {
  readonly allow: boolean;
  readonly reason: DecisionReason;
  readonly ruleId: string | null;
  /** Model pattern of the document that holds `ruleId`. */
  readonly documentModel: string | null;
  readonly policyVersion: number;
}

export interface Decision extends ShadowDecision {
  /** For `rate_limited`: epoch ms from which the same request would be taken; else null. */
  readonly retryAt: number | null;
  /** For `invalid_request`: which part of the request is wrong; else null. */
  readonly detail: string | null;
  /** The outcome with the applicable shadow documents in place; null when none applies. */
  readonly shadow: ShadowDecision | null;
}

export function invalidRequest(detail: string): Decision {
  return {
    allow: false,
    reason: 'invalid_request',
    ruleId: null,
    documentModel: null,
    policyVersion: 0,
    retryAt: null,
    detail,
    shadow: null,
  };
}

export const EVALUATION_ERROR: Decision = Object.freeze({
  allow: false,
  reason: 'evaluation_error',
  ruleId: null,
  documentModel: null,
  policyVersion: 0,
  retryAt: null,
  detail: null,
  shadow: null,
});
