import type { DynamicModule } from '@nestjs/common';
import { EVENT_STORE_MIGRATIONS } from '@modelgate/event-store';
import { DatabaseModule, KafkaModule } from '@modelgate/service-kit';
import type { PolicyConfig } from './config';

/** The policy service's modules: Kafka, and Postgres (schema `policy`) for the ACL event store and its outbox. */
export function policyModules(config: PolicyConfig): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-policy',
    }),
    DatabaseModule.forRoot({
      url: config.DATABASE_URL,
      schema: 'policy',
      migrations: EVENT_STORE_MIGRATIONS,
    }),
  ];
}
