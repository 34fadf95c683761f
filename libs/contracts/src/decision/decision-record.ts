import { z } from 'zod';
import { DECISION_WIRE_REASONS } from './decision-reasons';

/** Kafka header `event-type` of decision records. */
export const DECISION_RECORD_TYPE = 'decision.recorded';
export const DECISION_RECORD_SCHEMA = 1;

const outcome = z.object({
  allow: z.boolean(),
  reason: z.enum(DECISION_WIRE_REASONS),
  rule_id: z.string().nullable(),
  policy_version: z.number().int().nonnegative(),
});

/**
 * One record per check on `modelgate.decisions.v1` (key = model): the audit stream and the
 * SIEM feed. No secret and no token is ever part of it: the principal is its id, type and
 * roles as identity resolved them. Written by the decision service for every check and by
 * the gateway for the refusals it makes before asking (`replica` names the writer).
 * At-least-once: a record may arrive twice (after a Kafka outage the spool is replayed);
 * `decision_id` is unique and consumers deduplicate on it.
 */
export const decisionRecordV1Schema = z.object({
  schema: z.literal(DECISION_RECORD_SCHEMA),
  decision_id: z.uuid(),
  time: z.iso.datetime({ offset: true }),
  request_id: z.string().nullable(),
  trace_id: z.string().nullable(),
  /** Null on the gateway's refusals of callers it could not authenticate. */
  principal: z
    .object({
      id: z.string(),
      type: z.string(),
      roles: z.array(z.string()),
      groups: z.array(z.string()),
    })
    .nullable(),
  model: z.string(),
  operation: z.string(),
  source_ip: z.string().nullable(),
  ...outcome.shape,
  /** The outcome with the shadow documents in place; null when none applies. */
  shadow: outcome.nullable(),
  /** For `invalid_request`: which field is wrong. */
  detail: z.string().nullable(),
  /** Time from receiving the request to the decision, microseconds. */
  latency_us: z.number().int().nonnegative(),
  /** The replica that decided (host:pid or REPLICA_ID). */
  replica: z.string(),
});

export type DecisionRecordV1 = z.infer<typeof decisionRecordV1Schema>;
