import type { DynamicModule } from '@nestjs/common';

import { DatabaseModule, KafkaModule } from '@modelgate/service-kit';
import type { AuditConfig } from './config';

/** The audit service's modules: Kafka, and Postgres (schema `audit`) for the audit trail. */
export function auditModules(config: AuditConfig): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-audit',
    }),
    DatabaseModule.forRoot({ url: config.DATABASE_URL, schema: 'audit', migrations: [] }),
  ];
}
