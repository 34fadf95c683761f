/**
 * Every `reason` a decision answer or record can carry: the evaluator's closed set
 * (`@modelgate/acl` DECISION_REASONS; the decision service asserts at compile time that
 * it is contained here) and the service's own, which deny before or after evaluation.
 */
export const DECISION_SERVICE_REASONS = [
  /** The replica has not read the policy to the end yet. */
  'policy_not_loaded',
  /** The replica's policy feed has stalled longer than its maximum staleness. */
  'policy_stale',
  /** Identity disabled the principal (or the owner of the API key). */
  'principal_disabled',
  /** Identity revoked the API key. */
  'key_revoked',
  /** The decision could not be recorded (spool full or failing): fail closed. */
  'record_unavailable',
] as const;

export const EVALUATOR_REASONS = [
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

export const DECISION_WIRE_REASONS = [...EVALUATOR_REASONS, ...DECISION_SERVICE_REASONS] as const;
export type DecisionWireReason = (typeof DECISION_WIRE_REASONS)[number];
