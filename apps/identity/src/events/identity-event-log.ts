import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor, EventEnvelope } from '@modelgate/contracts';
import { PostgresEventStore } from '@modelgate/event-store';
import { createEnvelope, encodeEnvelope } from '@modelgate/messaging';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { IDENTITY_EVENT_SCHEMA_VERSION, type IdentityEvent } from './identity-events';

/** Where an event belongs: its stream (`principal:<id>`) and the Kafka key (the principal id). */
export interface IdentityStreamRef {
  readonly stream: string;
  readonly key: string;
}

/**
 * Identity events, stored with the change they describe: `record` appends the event to its
 * stream and writes its Kafka message to the outbox in the caller's transaction, so the
 * event exists exactly when the change commits. The outbox relay publishes it afterwards
 * (at least once, in commit order, which is sequence order per stream), however long
 * Kafka is away.
 */
@Injectable()
export class IdentityEventLog {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  async record(
    tx: EntityManager,
    ref: IdentityStreamRef,
    actor: Actor,
    event: IdentityEvent,
  ): Promise<EventEnvelope> {
    // One writer per stream at a time: appends use 'any', and the lock keeps a stream's
    // outbox rows committing in sequence order (the relay's per-stream order relies on it).
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [ref.stream]);
    let envelope: EventEnvelope | undefined;
    await this.store.appendInTransaction(
      tx,
      ref.stream,
      'any',
      [
        {
          type: event.type,
          schemaVersion: IDENTITY_EVENT_SCHEMA_VERSION,
          data: { ...event.data },
          metadata: { actor },
        },
      ],
      {
        outbox: (stored) =>
          stored.map((e) => {
            envelope = createEnvelope({
              id: e.id,
              type: e.type,
              schema: e.schemaVersion,
              stream: e.streamId,
              sequence: e.sequence,
              actor,
              occurredAt: e.occurredAt,
              data: e.data,
            });
            const headers = encodeEnvelope(envelope, ref.key).headers ?? {};
            return {
              eventId: e.id,
              topic: this.config.IDENTITY_EVENTS_TOPIC,
              key: ref.key,
              payload: envelope,
              headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
            };
          }),
      },
    );
    return envelope!;
  }
}
