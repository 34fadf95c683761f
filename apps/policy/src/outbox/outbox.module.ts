import { type DynamicModule, Module } from '@nestjs/common';
import type { OutboxPublisher } from '@modelgate/event-store';
import { SafeProducer } from '@modelgate/messaging';
import type { PolicyConfig } from '../config';
import { KafkaOutboxPublisher } from './kafka-outbox-publisher';
import { MetricsController } from './metrics.controller';
import {
  OUTBOX_PUBLISHER,
  OUTBOX_RELAY_OPTIONS,
  OutboxRelayService,
  type RelaySettings,
} from './outbox-relay.service';

/** The outbox relay to Kafka and its lag metric. */
@Module({})
export class OutboxModule {
  static forRoot(config: PolicyConfig, publisher?: OutboxPublisher): DynamicModule {
    const settings: RelaySettings = {
      enabled: config.OUTBOX_RELAY_ENABLED,
      connectionString: config.DATABASE_URL,
      schema: 'policy',
      batchSize: config.OUTBOX_BATCH_SIZE,
      idlePollMs: config.OUTBOX_POLL_MS,
      publishTimeoutMs: config.OUTBOX_PUBLISH_TIMEOUT_MS,
      resendAfterMs: config.OUTBOX_RESEND_AFTER_MS,
    };
    return {
      module: OutboxModule,
      controllers: [MetricsController],
      providers: [
        { provide: OUTBOX_RELAY_OPTIONS, useValue: settings },
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
