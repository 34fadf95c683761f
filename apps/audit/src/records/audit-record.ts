import { z } from 'zod';
import { parseEventEnvelope, type AuditSource } from '@modelgate/contracts';
import { canonicalJson } from '../chain/chain-hash';
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
  /** `record` as canonical JSON: the text stored (jsonb) and hashed, serialised once. */
  readonly recordJson: string;
}

/** A record for the chain from its fields, serialising `record` (canonical JSON) once. */
export function newAuditRecord(fields: Omit<NewAuditRecord, 'recordJson'>): NewAuditRecord {
  return { ...fields, recordJson: canonicalJson(fields.record) };
}

/** Why a Kafka record was refused; it goes to the dead-letter topic with this reason. */
export class UnparseableRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnparseableRecordError';
  }
}

export type TopicSource = Exclude<AuditSource, 'audit'>;

const isoTime = z.iso.datetime({ offset: true });

/**
 * A decision record as the audit trail accepts it: what identifies and dates it must be
 * there, the rest is taken as it comes. Stricter than this and an attempt would be lost to
 * the dead-letter topic for a value the audit trail exists to show — the gateway's refusals
 * carry no principal and may name no model, and a reason from a newer writer is still a
 * reason. Anything a writer adds later is kept in `record` (loose), never refused.
 */
export const decisionSchema = z.looseObject({
  decision_id: z.uuid(),
  time: isoTime,
  principal: z.looseObject({ id: z.string(), type: z.string().nullable().optional() }).nullable().optional(),
  model: z.string().nullable().optional(),
  operation: z.string().nullable().optional(),
  allow: z.boolean(),
  reason: z.string().nullable().optional(),
});

type DecisionFields = z.output<typeof decisionSchema>;
const uuid = z.uuid();
const isText = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/**
 * The fields {@link decisionSchema} reads, checked without it: every record of the decisions
 * topic goes through here, and the object schema copies the whole record (loose keys
 * included) to give back what this reads in place. The checks are those of the schema, the
 * string formats by the schema's own validators; `null` means "ask the schema", which then
 * gives the verdict and the message naming the field, so this can only be as strict.
 */
export function decisionFields(json: unknown): DecisionFields | null {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return null;
  const d = json as Record<string, unknown>;
  const { decision_id: id, time, allow, principal, model, operation, reason } = d;
  if (typeof id !== 'string' || typeof time !== 'string' || typeof allow !== 'boolean') return null;
  if (!isText(model) || !isText(operation) || !isText(reason)) return null;
  if (principal !== undefined && principal !== null) {
    if (typeof principal !== 'object' || Array.isArray(principal)) return null;
    const p = principal as Record<string, unknown>;
    if (typeof p['id'] !== 'string' || !isText(p['type'])) return null;
  }
  if (!uuid.safeParse(id).success || !isoTime.safeParse(time).success) return null;
  return d as DecisionFields;
}

/**
 * Only a `\u` escape can put NUL or a lone surrogate into a string decoded from UTF-8 (the
 * decoder replaces invalid bytes, and JSON refuses raw control characters): a value
 * without one needs no sanitising copy. A false positive only costs that copy.
 */
const MAY_NEED_SANITISING = /\\u(?:0000|[dD][89a-fA-F])/;

/**
 * Parses one Kafka value of `source`'s topic. Invalid UTF-8 is replaced (U+FFFD), so a
 * hostile byte never loses the attempt; a value that is not the expected record throws
 * {@link UnparseableRecordError} (the consumer dead-letters it). Events are checked against
 * the envelope; `record` keeps the whole value as it arrived, fields no schema names included.
 */
export function parseAuditRecord(source: TopicSource, value: Buffer | null): NewAuditRecord {
  if (value === null) throw new UnparseableRecordError('tombstone (null value)');
  const text = value.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnparseableRecordError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const clean = MAY_NEED_SANITISING.test(text) ? sanitiseJson(json) : json;
  return source === 'decision' ? fromDecision(clean) : fromEnvelope(source, clean);
}

function fromDecision(json: unknown): NewAuditRecord {
  let d = decisionFields(json);
  if (d === null) {
    const parsed = decisionSchema.safeParse(json);
    if (!parsed.success) throw new UnparseableRecordError(`invalid decision record: ${issues(parsed.error)}`);
    d = parsed.data;
  }
  // The gateway's refusals of unauthenticated callers carry no principal.
  const principal = d.principal ?? null;
  return newAuditRecord({
    id: d.decision_id,
    source: 'decision',
    occurredAt: new Date(d.time).toISOString(),
    principalId: column(principal?.id),
    principalType: column(principal?.type ?? null),
    // The gateway names no model ('') when the request had none it could read.
    model: column(d.model || null),
    operation: column(d.operation ?? null) ?? 'unknown',
    decision: d.allow ? 'allow' : 'deny',
    reason: column(d.reason ?? null),
    record: json as Record<string, unknown>,
  });
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
  return newAuditRecord({
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
  });
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
