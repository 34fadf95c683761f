import type { DynamicModule } from '@nestjs/common';
import { EVENT_STORE_MIGRATIONS, type OutboxPublisher } from '@modelgate/event-store';
import { DatabaseModule, KafkaModule, OutboxModule, outboxRelaySettings } from '@modelgate/service-kit';
import { AclModule } from './acl/acl.module';
import { CreateAclReadModel1764700000000 } from './acl/read-model/1764700000000-create-acl-read-model';
import type { PrincipalAuthenticator } from './auth/principal-authenticator.port';
import type { PolicyConfig } from './config';

/** The policy service's migrations: the event store's, then its read model's. */
export const POLICY_MIGRATIONS = [...EVENT_STORE_MIGRATIONS, CreateAclReadModel1764700000000];

/** Seams for tests: a publisher through a faulty network, a fixed authenticator. */
export interface PolicyModuleOverrides {
  readonly outboxPublisher?: OutboxPublisher;
  readonly authenticator?: PrincipalAuthenticator;
}

/** The policy service's modules: Kafka, Postgres (schema `policy`: events, outbox, read model), the ACL API, the relay. */
export function policyModules(config: PolicyConfig, overrides: PolicyModuleOverrides = {}): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-policy',
    }),
    DatabaseModule.forRoot({ url: config.DATABASE_URL, schema: 'policy', migrations: POLICY_MIGRATIONS }),
    AclModule.forRoot(config, overrides.authenticator ? { authenticator: overrides.authenticator } : {}),
    OutboxModule.forRoot(outboxRelaySettings(config, 'policy'), overrides.outboxPublisher),
  ];
}
