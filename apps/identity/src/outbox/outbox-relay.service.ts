import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { OutboxRelay, type OutboxPublisher } from '@modelgate/event-store';
import { CONFIG, LOGGER } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { IdentityConfig } from '../config';

export const OUTBOX_PUBLISHER = Symbol('OUTBOX_PUBLISHER');

/**
 * Relays identity's outbox to Kafka from every replica (one leads, by advisory lock);
 * stops before Kafka disconnects. Unpublished rows survive restarts: a relay started
 * later, here or on another replica, sends them.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @Inject(CONFIG) private readonly config: IdentityConfig,
    @Inject(OUTBOX_PUBLISHER) publisher: OutboxPublisher,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.relay = new OutboxRelay({
      connectionString: config.DATABASE_URL,
      schema: 'identity',
      publisher,
      batchSize: config.OUTBOX_BATCH_SIZE,
      idlePollMs: config.OUTBOX_POLL_MS,
      publishTimeoutMs: config.OUTBOX_PUBLISH_TIMEOUT_MS,
      resendAfterMs: config.OUTBOX_RESEND_AFTER_MS,
      logger: logger.child({ component: 'outbox-relay' }),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.OUTBOX_RELAY_ENABLED) this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
