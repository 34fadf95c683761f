import type { DynamicModule } from '@nestjs/common';

import { DatabaseModule, KafkaModule } from '@modelgate/service-kit';
import type { IdentityConfig } from './config';

/** The identity service's modules: Kafka, and Postgres (schema `identity`) for keys, service accounts and signing keys. */
export function identityModules(config: IdentityConfig): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-identity',
    }),
    DatabaseModule.forRoot({ url: config.DATABASE_URL, schema: 'identity', migrations: [] }),
  ];
}
