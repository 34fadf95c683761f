import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PostgresEventStore, type OutboxPublisher } from '@modelgate/event-store';
import {
  CONFIG,
  DatabaseModule,
  KafkaModule,
  OutboxModule,
  outboxRelaySettings,
} from '@modelgate/service-kit';
import { IdentityCacheConsumer } from './cache/identity-cache.consumer';
import { DisabledPrincipalRepository } from './principals/disabled-principal.repository';
import { DisabledPrincipals } from './principals/disabled-principals';
import { LdapPrincipalSync } from './principals/ldap-principal-sync';
import { PrincipalsController } from './principals/principals.controller';
import { PrincipalsService } from './principals/principals.service';
import { RoleMappingAnnouncer } from './role-mapping/role-mapping-announcer';
import type { IdentityConfig } from './config';
import { AuthController } from './auth/auth.controller';
import { principalResolverProviders } from './auth/principal-resolver.provider';
import { PrincipalGuard } from './auth/principal.guard';
import { TokenIssuer } from './auth/token-issuer';
import { WellKnownController } from './auth/well-known.controller';
import { IDENTITY_MIGRATIONS } from './database/migrations';
import { IdentityExceptionFilter } from './errors/identity-exception.filter';
import { IdentityEventLog } from './events/identity-event-log';
import { ApiKeyRepository } from './keys/api-key.repository';
import { ApiKeysService } from './keys/api-keys.service';
import { KeysController } from './keys/keys.controller';
import { DIRECTORY } from './ldap/directory.token';
import { LdapDirectory, type Directory } from './ldap/ldap-directory';
import { LdapLoginHandler } from './ldap/ldap-login.handler';
import { ServiceAccountRepository } from './service-accounts/service-account.repository';
import { ServiceAccountsController } from './service-accounts/service-accounts.controller';
import { ServiceAccountsService } from './service-accounts/service-accounts.service';
import { SigningKeyRepository } from './signing-keys/signing-key.repository';
import { SigningKeyService } from './signing-keys/signing-key.service';

export { DIRECTORY };

/** Seams for tests: a publisher through a faulty network. */
export interface IdentityModuleOverrides {
  readonly outboxPublisher?: OutboxPublisher;
}

class DirectoryLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DIRECTORY) private readonly directory: Directory) {}
  async onApplicationShutdown(): Promise<void> {
    await this.directory.close();
  }
}

export function ldapDirectoryFor(config: IdentityConfig): LdapDirectory {
  return new LdapDirectory({
    url: config.LDAP_URL,
    ...(config.LDAP_BIND_DN ? { bindDn: config.LDAP_BIND_DN } : {}),
    ...(config.LDAP_BIND_PASSWORD ? { bindPassword: config.LDAP_BIND_PASSWORD } : {}),
    userBase: config.LDAP_USER_BASE,
    groupBase: config.LDAP_GROUP_BASE,
    userAttribute: config.LDAP_USER_ATTRIBUTE,
    mailAttribute: config.LDAP_MAIL_ATTRIBUTE,
    groupMemberAttribute: config.LDAP_GROUP_MEMBER_ATTRIBUTE,
    timeoutMs: config.LDAP_TIMEOUT_MS,
    connectTimeoutMs: config.LDAP_CONNECT_TIMEOUT_MS,
    startTls: config.LDAP_STARTTLS,
    ...(config.LDAP_TLS_CA_FILE ? { tlsCaFile: config.LDAP_TLS_CA_FILE } : {}),
    tlsRejectUnauthorized: config.LDAP_TLS_REJECT_UNAUTHORIZED,
  });
}

@Module({
  controllers: [
    AuthController,
    WellKnownController,
    KeysController,
    ServiceAccountsController,
    PrincipalsController,
  ],
  providers: [
    { provide: DIRECTORY, inject: [CONFIG], useFactory: ldapDirectoryFor },
    DirectoryLifecycle,
    {
      provide: LdapLoginHandler,
      inject: [DIRECTORY, CONFIG],
      useFactory: (directory: Directory, config: IdentityConfig) =>
        new LdapLoginHandler(directory, {
          groupsFrom: config.LDAP_GROUPS_FROM,
          groupRoles: config.GROUP_ROLE_MAP,
          userBase: config.LDAP_USER_BASE,
        }),
    },
    SigningKeyRepository,
    SigningKeyService,
    TokenIssuer,
    ApiKeyRepository,
    ApiKeysService,
    ServiceAccountRepository,
    ServiceAccountsService,
    {
      provide: PostgresEventStore,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new PostgresEventStore(ds),
    },
    IdentityEventLog,
    DisabledPrincipalRepository,
    DisabledPrincipals,
    PrincipalsService,
    LdapPrincipalSync,
    RoleMappingAnnouncer,
    IdentityCacheConsumer,
    IdentityExceptionFilter,
    PrincipalGuard,
    ...principalResolverProviders,
  ],
})
export class IdentityModule {}

/** The identity service's modules: Kafka, Postgres (schema `identity`: its tables, events, outbox), and its features. */
export function identityModules(
  config: IdentityConfig,
  overrides: IdentityModuleOverrides = {},
): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-identity',
    }),
    DatabaseModule.forRoot({ url: config.DATABASE_URL, schema: 'identity', migrations: IDENTITY_MIGRATIONS }),
    OutboxModule.forRoot(outboxRelaySettings(config, 'identity'), overrides.outboxPublisher),
    { module: IdentityModule },
  ];
}
