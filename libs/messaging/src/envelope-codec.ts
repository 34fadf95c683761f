import { randomUUID } from 'node:crypto';
import type { IHeaders, Message } from 'kafkajs';
import { ENVELOPE_HEADERS, parseEventEnvelope, type Actor, type EventEnvelope } from '@modelgate/contracts';

export interface NewEvent<D extends Record<string, unknown>> {
  readonly type: string;
  readonly schema: number;
  readonly stream: string;
  readonly sequence: number;
  readonly actor: Actor;
  readonly data: D;
  readonly traceparent?: string | null;
  readonly id?: string;
  readonly occurredAt?: Date;
}

export function createEnvelope<D extends Record<string, unknown>>(event: NewEvent<D>): EventEnvelope<D> {
  return {
    id: event.id ?? randomUUID(),
    type: event.type,
    schema: event.schema,
    stream: event.stream,
    sequence: event.sequence,
    occurred_at: (event.occurredAt ?? new Date()).toISOString(),
    actor: event.actor,
    traceparent: event.traceparent ?? null,
    data: event.data,
  };
}

/** Kafka message for an envelope: key = the stream's id (the part after `kind:`), headers carry type/schema/trace. */
export function encodeEnvelope(envelope: EventEnvelope, key: string): Message {
  const headers: IHeaders = {
    [ENVELOPE_HEADERS.type]: envelope.type,
    [ENVELOPE_HEADERS.schema]: String(envelope.schema),
    [ENVELOPE_HEADERS.id]: envelope.id,
  };
  if (envelope.traceparent) headers[ENVELOPE_HEADERS.traceparent] = envelope.traceparent;
  return { key, value: JSON.stringify(envelope), headers };
}

export function decodeEnvelope(value: Buffer | null): EventEnvelope {
  if (value === null) throw new Error('tombstone: no envelope');
  return parseEventEnvelope(JSON.parse(value.toString('utf8')));
}
