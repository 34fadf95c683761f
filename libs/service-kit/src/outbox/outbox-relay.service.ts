import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { OutboxRelay, type OutboxPublisher, type OutboxRelayOptions } from '@modelgate/event-store';
import type { Logger } from '@modelgate/telemetry';
import { LOGGER } from '../bootstrap/tokens';

export const OUTBOX_PUBLISHER = Symbol('OUTBOX_PUBLISHER');
export const OUTBOX_RELAY_SETTINGS = Symbol('OUTBOX_RELAY_SETTINGS');

/** The relay's options but its ports, and whether this process relays at all. */
export type OutboxRelaySettings = Omit<OutboxRelayOptions, 'publisher' | 'logger'> & {
  readonly enabled: boolean;
};

/**
 * Runs the outbox relay in every replica (one of them leads, by advisory lock) and stops it
 * before Kafka disconnects. Unpublished rows survive restarts: a relay started later, here or
 * on another replica, sends them.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @Inject(OUTBOX_RELAY_SETTINGS) private readonly settings: OutboxRelaySettings,
    @Inject(OUTBOX_PUBLISHER) publisher: OutboxPublisher,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.relay = new OutboxRelay({
      ...settings,
      publisher,
      logger: logger.child({ component: 'outbox-relay' }),
    });
  }

  onApplicationBootstrap(): void {
    if (this.settings.enabled) this.relay.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
