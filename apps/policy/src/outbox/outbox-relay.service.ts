import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { OutboxRelay, type OutboxPublisher, type OutboxRelayOptions } from '@modelgate/event-store';
import { LOGGER } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';

export const OUTBOX_PUBLISHER = Symbol('OUTBOX_PUBLISHER');
export const OUTBOX_RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

export type RelaySettings = Omit<OutboxRelayOptions, 'publisher' | 'logger'> & { readonly enabled: boolean };

/** Runs the outbox relay in every replica (one of them leads); stops it before Kafka disconnects. */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay: OutboxRelay;

  constructor(
    @Inject(OUTBOX_RELAY_OPTIONS) private readonly settings: RelaySettings,
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
