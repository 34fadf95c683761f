import { z } from 'zod';
import { parseEventEnvelope, type AuditSource } from '@modelgate/contracts';
import { column, sanitiseJson } from './sanitise';

/** A record ready for the chain: what every source is normalised to before it is stored. */
export interface NewAuditRecord {
  readonly id: string;
  readonly source: AuditSource;
  /** ISO 8601, millisecond precision, UTC (what timestamptz gives back). */
  readonly occurredAt: string;
  readonly principalId: string | null;
  readonly principalType: string | null;
  readonly model: string | null;
  readonly operation: string;
  readonly decision: 'allow' | 'deny' | null;
  readonly reason: string | null;
  readonly record: Record<string, unknown>;
}

/** Why a Kafka record was refused; it goes to the dead-letter topic with this reason. */
export class UnparseableRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnparseableRecordError';
  }
}

const isoTime = z.iso.datetime({ offset: true });

/**
 * A decision record as the audit trail accepts it: the decision service's v1 record, and
 * the gateway's refusals, which carry no principal (unauthenticated) and reasons outside
 * the evaluator's set (`unauthenticated`, `invalid_request`). Anything the decision
 * service adds later is kept in `record` (passthrough), never refused.
 */
const decisionSchema = z.looseObject({
  decision_id: z.uuid(),
  time: isoTime,
  principal: z.looseObject({ id: z.string(), type: z.string().nullable().optional() }).nullable().optional(),
  model: z.string().nullable().optional(),
  operation: z.string().nullable().optional(),
  allow: z.boolean(),
  reason: z.string().nullable().optional(),
});

export type TopicSource = Exclude<AuditSource, 'audit'>;

/**
 * Parses one Kafka value of `source`'s topic. Invalid UTF-8 is replaced (U+FFFD), so a
 * hostile byte never loses the attempt; a value that is not the expected record throws
 * {@link UnparseableRecordError} (the consumer dead-letters it).
 */
export function parseAuditRecord(source: TopicSource, value: Buffer | null): NewAuditRecord {
  if (value === null) throw new UnparseableRecordError('tombstone (null value)');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new UnparseableRecordError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const clean = sanitiseJson(json);
  return source === 'decision' ? fromDecision(clean) : fromEnvelope(source, clean);
}

function fromDecision(json: unknown): NewAuditRecord {
  const parsed = decisionSchema.safeParse(json);
  if (!parsed.success) throw new UnparseableRecordError(`invalid decision record: ${issues(parsed.error)}`);
  const d = parsed.data;
  return {
    id: d.decision_id,
    source: 'decision',
    occurredAt: new Date(d.time).toISOString(),
    principalId: column(d.principal?.id ?? null),
    principalType: column(d.principal ? (d.principal.type ?? null) : null),
    model: column(d.model ?? null),
    operation: column(d.operation ?? null) ?? 'unknown',
    decision: d.allow ? 'allow' : 'deny',
    reason: column(d.reason ?? null),
    record: json as Record<string, unknown>,
  };
}

function fromEnvelope(source: 'policy' | 'identity', json: unknown): NewAuditRecord {
  let envelope;
  try {
    envelope = parseEventEnvelope(json);
  } catch (error) {
    throw new UnparseableRecordError(error instanceof Error ? error.message : String(error));
  }
  const [kind, ...rest] = envelope.stream.split(':');
  const streamId = rest.join(':');
  return {
    id: envelope.id,
    source,
    occurredAt: new Date(envelope.occurred_at).toISOString(),
    principalId: column(envelope.actor.id),
    principalType: column(envelope.actor.type),
    // Policy streams are `acl:<model pattern>`; identity streams name a principal, not a model.
    model: kind === 'acl' ? column(streamId) : null,
    operation: column(envelope.type) ?? envelope.type,
    decision: null,
    reason: null,
    record: json as Record<string, unknown>,
  };
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
