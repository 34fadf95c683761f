import { z } from 'zod';

/**
 * The envelope of every event on every topic (ARCHITECTURE.md). Published schemas never
 * change: a new `schema` number is added beside the old one and upcast on read.
 */
export const actorSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  ip: z.string().nullable().optional(),
});

/** Dotted, past tense: `acl.rules_replaced`, `identity.key_revoked`. */
export const eventTypeSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/,
    'expected a dotted lower-case event type such as "acl.rules_replaced"',
  );

/** W3C trace context `traceparent` header value. */
export const traceparentSchema = z
  .string()
  .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, 'expected a W3C traceparent');

export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: eventTypeSchema,
  schema: z.number().int().positive(),
  stream: z
    .string()
    .min(1)
    .regex(/^[a-z_]+:.+$/, 'expected "<kind>:<id>", such as "acl:qwen3-7b-chat"'),
  sequence: z.number().int().positive(),
  occurred_at: z.iso.datetime({ offset: true }),
  actor: actorSchema,
  traceparent: traceparentSchema.nullable().optional(),
  data: z.record(z.string(), z.unknown()),
});

export type Actor = z.infer<typeof actorSchema>;
export type EventEnvelope<D extends Record<string, unknown> = Record<string, unknown>> = Omit<
  z.infer<typeof eventEnvelopeSchema>,
  'data'
> & { data: D };

/** Parses an envelope from a Kafka value; the error lists each bad field by path. */
export function parseEventEnvelope(value: unknown): EventEnvelope {
  const result = eventEnvelopeSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidEnvelopeError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}

export class InvalidEnvelopeError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid event envelope: ${problems.join('; ')}`);
    this.name = 'InvalidEnvelopeError';
  }
}

/** Kafka headers carried beside the value so consumers can route without parsing. */
export const ENVELOPE_HEADERS = {
  type: 'event-type',
  schema: 'event-schema',
  id: 'event-id',
  traceparent: 'traceparent',
} as const;
