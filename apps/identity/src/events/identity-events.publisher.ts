import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TOPICS, type Actor, type EventEnvelope } from '@modelgate/contracts';
import { createEnvelope, encodeEnvelope, SafeProducer } from '@modelgate/messaging';
import { LOGGER } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { IDENTITY_EVENT_SCHEMA_VERSION, principalStream, type IdentityEvent } from './identity-events';

/** An event with its place in its principal's stream, ready to publish once the transaction commits. */
export type PendingEvent = EventEnvelope & { readonly key: string };

/**
 * Identity events: `record` allocates the stream sequence inside the caller's transaction;
 * `publish` sends after commit through the idempotent producer.
 * Known gap: no transactional outbox yet — a crash between commit and publish loses the
 * event (the database change stands; consumers' caches expire after API_KEY_CACHE_TTL_MS).
 */
@Injectable()
export class IdentityEventsPublisher {
  constructor(
    private readonly producer: SafeProducer,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async record(
    tx: EntityManager,
    principalId: string,
    actor: Actor,
    event: IdentityEvent,
  ): Promise<PendingEvent> {
    const rows: { sequence: number }[] = await tx.query(
      `INSERT INTO principal_streams (principal_id, sequence) VALUES ($1, 1)
       ON CONFLICT (principal_id) DO UPDATE SET sequence = principal_streams.sequence + 1
       RETURNING sequence`,
      [principalId],
    );
    const envelope = createEnvelope({
      type: event.type,
      schema: IDENTITY_EVENT_SCHEMA_VERSION,
      stream: principalStream(principalId),
      sequence: rows[0]!.sequence,
      actor,
      data: { ...event.data },
    });
    return { ...envelope, key: principalId };
  }

  /** Never throws: the change is committed already; a failed send is logged loudly. */
  async publish(events: readonly PendingEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      await this.producer.send(
        TOPICS.identityEvents,
        events.map(({ key, ...envelope }) => encodeEnvelope(envelope, key)),
      );
    } catch (error) {
      this.logger.error(
        {
          err: error,
          events: events.map((e) => ({ id: e.id, type: e.type, stream: e.stream, sequence: e.sequence })),
        },
        'identity events not published',
      );
    }
  }
}
