import type { DynamicModule } from '@nestjs/common';

import { DatabaseModule, KafkaModule } from '@modelgate/service-kit';
import { AuditModule, type AuditModuleOverrides } from './audit.module';
import type { AuditConfig } from './config';
import { AUDIT_MIGRATIONS } from './storage/audit-migrations';

/** The audit service's modules: Kafka, Postgres (schema `audit`: the hash-chained trail), ingest, the audit API. */
export function auditModules(config: AuditConfig, overrides: AuditModuleOverrides = {}): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-audit',
    }),
    DatabaseModule.forRoot({ url: config.DATABASE_URL, schema: 'audit', migrations: AUDIT_MIGRATIONS }),
    AuditModule.forRoot(config, overrides),
  ];
}
