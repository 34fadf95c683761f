import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { decodeEnvelope } from '@modelgate/messaging';
import type { Logger } from '@modelgate/telemetry';
import type { PrincipalCache } from '../principal/principal-cache';

/**
 * Drops remembered principals when identity says they changed: a revoked key, a disabled
 * principal, new role mappings. Each gateway replica reads the topic with a group of its own
 * (every replica must see every event) from the end: what happened before it started is not
 * in its cache anyway.
 */
export class PrincipalInvalidation {
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly cache: PrincipalCache,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `modelgate-gateway-cache-${randomBytes(6).toString('hex')}`,
      sessionTimeout: 30_000,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: false });
    await consumer.run({
      eachMessage: ({ message }) => {
        try {
          this.apply(decodeEnvelope(message.value));
        } catch (error) {
          // Unreadable: drop everything rather than keep a principal the event may concern.
          this.logger.warn({ err: error }, 'unreadable identity event; principal cache cleared');
          this.cache.clear();
        }
        return Promise.resolve();
      },
    });
  }

  apply(event: { type: string; data: unknown }): void {
    const data = (event.data ?? {}) as Record<string, unknown>;
    switch (event.type) {
      case 'identity.key_revoked':
        if (typeof data['key_id'] === 'string') this.cache.dropKey(data['key_id']);
        else this.cache.clear();
        break;
      case 'identity.principal_disabled':
        if (typeof data['principal_id'] === 'string') this.cache.dropPrincipal(data['principal_id']);
        else this.cache.clear();
        break;
      case 'identity.role_mapping_changed':
        this.cache.clear();
        break;
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
