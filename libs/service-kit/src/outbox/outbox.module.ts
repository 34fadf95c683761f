import { type DynamicModule, Module } from '@nestjs/common';
import type { OutboxPublisher } from '@modelgate/event-store';
import { SafeProducer } from '@modelgate/messaging';
import { KafkaOutboxPublisher } from './kafka-outbox-publisher';
import { OutboxMetricsController } from './outbox-metrics.controller';
import {
  OUTBOX_PUBLISHER,
  OUTBOX_RELAY_SETTINGS,
  OutboxRelayService,
  type OutboxRelaySettings,
} from './outbox-relay.service';

/** The relay settings of a service whose config has `outboxConfigShape` and `DATABASE_URL`. */
export function outboxRelaySettings(
  config: {
    readonly DATABASE_URL: string;
    readonly OUTBOX_RELAY_ENABLED: boolean;
    readonly OUTBOX_BATCH_SIZE: number;
    readonly OUTBOX_POLL_MS: number;
    readonly OUTBOX_PUBLISH_TIMEOUT_MS: number;
    readonly OUTBOX_RESEND_AFTER_MS: number;
  },
  schema: string,
): OutboxRelaySettings {
  return {
    enabled: config.OUTBOX_RELAY_ENABLED,
    connectionString: config.DATABASE_URL,
    schema,
    batchSize: config.OUTBOX_BATCH_SIZE,
    idlePollMs: config.OUTBOX_POLL_MS,
    publishTimeoutMs: config.OUTBOX_PUBLISH_TIMEOUT_MS,
    resendAfterMs: config.OUTBOX_RESEND_AFTER_MS,
  };
}

/**
 * A service's transactional outbox, relayed to Kafka, with its lag on `GET /metrics`. Needs
 * the KafkaModule (its SafeProducer) and the DatabaseModule of the schema the outbox is in.
 * `publisher` replaces Kafka (tests send through a faulty network).
 */
@Module({})
export class OutboxModule {
  static forRoot(settings: OutboxRelaySettings, publisher?: OutboxPublisher): DynamicModule {
    return {
      module: OutboxModule,
      controllers: [OutboxMetricsController],
      providers: [
        { provide: OUTBOX_RELAY_SETTINGS, useValue: settings },
        publisher
          ? { provide: OUTBOX_PUBLISHER, useValue: publisher }
          : {
              provide: OUTBOX_PUBLISHER,
              inject: [SafeProducer],
              useFactory: (p: SafeProducer) => new KafkaOutboxPublisher(p),
            },
        OutboxRelayService,
      ],
      exports: [OutboxRelayService],
    };
  }
}
