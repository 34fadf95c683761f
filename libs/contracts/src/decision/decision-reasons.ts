/**
 * Every `reason` a decision answer or record can carry: the evaluator's closed set
 * (`@modelgate/acl` DECISION_REASONS, which this library may not import; the decision
 * service asserts at compile time that the two lists hold the same reasons), the service's
 * own, which deny before or after evaluation, and the gateway's, for refusals it makes
 * before asking.
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
export type EvaluatorReason = (typeof EVALUATOR_REASONS)[number];

/**
 * Refusals the gateway records itself, for requests the decision service never sees (a bad
 * model name is the evaluator's `invalid_request`, recorded by the gateway with its detail).
 */
export const GATEWAY_REASONS = [
  /** No credential, or one that identity or the token's issuer refused. */
  'unauthenticated',
  /** The decision service did not answer in time, or answered something unreadable: fail closed. */
  'decision_unavailable',
  /** The API key's own model or operation scope excludes the request. */
  'key_scope',
] as const;

export const DECISION_WIRE_REASONS = [
  ...EVALUATOR_REASONS,
  ...DECISION_SERVICE_REASONS,
  ...GATEWAY_REASONS,
] as const;
export type DecisionWireReason = (typeof DECISION_WIRE_REASONS)[number];
