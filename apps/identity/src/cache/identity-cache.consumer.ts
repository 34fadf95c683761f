import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Consumer, Kafka } from 'kafkajs';
import { CachingApiKeyStore } from '@modelgate/auth';
import type { EventEnvelope } from '@modelgate/contracts';
import { decodeEnvelope, retryRetriable } from '@modelgate/messaging';
import { CONFIG, KAFKA, LOGGER, ReadinessRegistry } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { IdentityConfig } from '../config';
import { DisabledPrincipals } from '../principals/disabled-principals';

/** What an identity event means for this replica's caches. */
export type CacheEffect =
  | { readonly kind: 'key'; readonly keyId: string }
  | { readonly kind: 'owner'; readonly type: 'user' | 'service_account'; readonly ownerId: string }
  | { readonly kind: 'none' };

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Pure: event → cache effect. Unknown types and malformed data change nothing (the TTL still bounds staleness). */
export function cacheEffectOf(envelope: EventEnvelope): CacheEffect {
  if (envelope.schema !== 1) return { kind: 'none' };
  const d = envelope.data;
  switch (envelope.type) {
    case 'identity.key_revoked': {
      const keyId = text(d['key_id']);
      return keyId ? { kind: 'key', keyId } : { kind: 'none' };
    }
    case 'identity.principal_disabled': {
      const ownerId = text(d['principal_id']);
      const type = d['principal_type'];
      return ownerId && (type === 'user' || type === 'service_account')
        ? { kind: 'owner', type, ownerId }
        : { kind: 'none' };
    }
    default:
      return { kind: 'none' };
  }
}

/**
 * Each replica hears every identity event (its own consumer group, no committed offsets,
 * from the topic's end at start) and drops what a revocation or a disabled principal
 * makes stale in its API key cache and disabled set: a key revoked on replica A stops on
 * replica B as soon as the event arrives, not after API_KEY_CACHE_TTL_MS. Nothing older
 * than the start matters: the caches start empty (and the disabled set from Postgres).
 */
@Injectable()
export class IdentityCacheConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private consumer: Consumer | undefined;
  private joined = false;
  private readonly joinWaiters: (() => void)[] = [];

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly apiKeys: CachingApiKeyStore,
    private readonly disabled: DisabledPrincipals,
    @Inject(CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    readiness: ReadinessRegistry,
  ) {
    readiness.register({
      name: 'identity-cache-consumer',
      check: () =>
        this.joined
          ? Promise.resolve()
          : Promise.reject(new Error('cache consumer has not joined its group')),
    });
  }

  /** Resolves once the consumer has its partitions: events published from then on are heard. */
  whenJoined(): Promise<void> {
    return this.joined ? Promise.resolve() : new Promise((resolve) => this.joinWaiters.push(resolve));
  }

  async onApplicationBootstrap(): Promise<void> {
    const groupId = `identity-cache-${this.config.REPLICA_ID}-${randomBytes(4).toString('hex')}`;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      for (const resolve of this.joinWaiters.splice(0)) resolve();
    });
    consumer.on(consumer.events.CRASH, (event) =>
      this.logger.warn({ err: event.payload.error }, 'identity cache consumer crashed; kafkajs restarts it'),
    );
    await consumer.connect();
    // A missing topic stops the start (retriable answers of a broker that just created it
    // are waited out): without this consumer a revocation elsewhere would wait for the TTL.
    await retryRetriable(() =>
      consumer.subscribe({ topics: [this.config.IDENTITY_EVENTS_TOPIC], fromBeginning: false }),
    );
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ message }) => {
        this.apply(message.value ?? null);
        return Promise.resolve();
      },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private apply(value: Buffer | null): void {
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(value);
    } catch (error) {
      this.logger.warn({ err: error }, 'identity cache consumer: record is not an event envelope; skipped');
      return;
    }
    const effect = cacheEffectOf(envelope);
    switch (effect.kind) {
      case 'key':
        this.apiKeys.invalidate(effect.keyId);
        break;
      case 'owner':
        this.disabled.add(effect.type, effect.ownerId);
        this.apiKeys.invalidateOwner(effect.ownerId);
        break;
      case 'none':
        break;
    }
  }
}
