import {
  type DynamicModule,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { bearerAuthenticator } from '@modelgate/auth';
import { SafeProducer } from '@modelgate/messaging';
import { KAFKA, LOGGER, ReadinessRegistry } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { AUDIT_READ_ALL_ROLES, AuditAccessGuard } from './auth/audit-access.guard';
import { PRINCIPAL_AUTHENTICATOR, type PrincipalAuthenticator } from './auth/audit-authenticator';
import { AuditMaintenance } from './chain/audit-maintenance';
import type { AuditConfig } from './config';
import { AuditIngestConsumer, type IngestOptions } from './ingest/audit-ingest.consumer';
import { topicRetentionProblems } from './ingest/topic-retention.check';
import { ExportStats } from './metrics/audit-metrics';
import {
  AUDIT_METRICS_SNAPSHOT,
  MetricsController,
  type AuditMetricsSource,
} from './metrics/metrics.controller';
import { AuditController } from './query/audit.controller';
import { SiemForwarder } from './siem/siem-forwarder';
import { HecTransport, SyslogTransport, type SiemTransport } from './siem/siem-transports';
import { AuditLogRepository } from './storage/audit-log.repository';
import { SiemPositionRepository } from './storage/siem-position.repository';

export const SIEM_FORWARDERS = Symbol('SIEM_FORWARDERS');

/** The forwarders the configuration asks for (none without SIEM_SYSLOG_URL / SIEM_HTTP_URL). */
function siemTransports(config: AuditConfig): SiemTransport[] {
  const transports: SiemTransport[] = [];
  if (config.SIEM_SYSLOG_URL) transports.push(new SyslogTransport(new URL(config.SIEM_SYSLOG_URL)));
  if (config.SIEM_HTTP_URL)
    transports.push(new HecTransport(new URL(config.SIEM_HTTP_URL), config.SIEM_HTTP_TOKEN));
  return transports;
}

/** Seams for tests: a fixed authenticator, hooks that stop a batch, a clock. */
export interface AuditModuleOverrides {
  readonly authenticator?: PrincipalAuthenticator;
  readonly ingestHooks?: IngestOptions['hooks'];
  readonly now?: () => Date;
}

/** Starts maintenance (partitions, key) before ingest; stops ingest before the database closes. */
class AuditLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly maintenance: AuditMaintenance,
    private readonly ingest: AuditIngestConsumer,
    private readonly config: AuditConfig,
    private readonly readiness: ReadinessRegistry,
    private readonly forwarders: readonly SiemForwarder[],
    private readonly kafka: Kafka,
    private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.start();
    for (const f of this.forwarders) await f.start();
    if (!this.config.INGEST_ENABLED) return;
    await this.warnOfTopicRetention();
    await this.ingest.start();
    this.readiness.register({
      name: 'ingest',
      check: () =>
        this.ingest.isRunning ? Promise.resolve() : Promise.reject(new Error('ingest consumer stopped')),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.ingest.stop();
    for (const f of this.forwarders) await f.stop();
    this.maintenance.stop();
  }

  /**
   * A topic that outlives the trail is a misconfiguration that shows only after retention,
   * as rows stored twice; said loudly at start, but not fatal: refusing to ingest would lose
   * attempts from the trail now, to prevent duplicates (detectable by id) later.
   */
  private async warnOfTopicRetention(): Promise<void> {
    const c = this.config;
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const problems = await topicRetentionProblems(
        admin,
        [c.DECISIONS_TOPIC, c.POLICY_EVENTS_TOPIC, c.IDENTITY_EVENTS_TOPIC],
        c.AUDIT_RETENTION_DAYS,
      );
      for (const p of problems)
        this.logger.error({ topic: p.topic, retention_ms: p.retentionMs }, `audit: ${p.message}`);
    } catch (err) {
      this.logger.warn({ err }, 'audit: could not read the retention of the consumed topics');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

@Module({})
export class AuditModule {
  static forRoot(config: AuditConfig, overrides: AuditModuleOverrides = {}): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditController, MetricsController],
      providers: [
        {
          provide: AuditLogRepository,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new AuditLogRepository(ds, overrides.now),
        },
        {
          provide: AuditMaintenance,
          inject: [AuditLogRepository, LOGGER],
          useFactory: (repository: AuditLogRepository, logger: Logger) =>
            new AuditMaintenance(
              repository,
              {
                signingKeyPem: config.AUDIT_SIGNING_KEY,
                digestIntervalMs: config.AUDIT_DIGEST_INTERVAL_MS,
                retentionDays: config.AUDIT_RETENTION_DAYS,
                partitionsAheadDays: config.AUDIT_PARTITIONS_AHEAD_DAYS,
                maintenanceIntervalMs: config.AUDIT_MAINTENANCE_INTERVAL_MS,
              },
              logger,
              overrides.now,
            ),
        },
        {
          provide: AuditIngestConsumer,
          inject: [KAFKA, SafeProducer, AuditLogRepository, LOGGER],
          useFactory: (
            kafka: Kafka,
            producer: SafeProducer,
            repository: AuditLogRepository,
            logger: Logger,
          ) =>
            new AuditIngestConsumer(
              kafka,
              producer,
              repository,
              {
                groupId: config.AUDIT_CONSUMER_GROUP,
                fromBeginning: true,
                fetch: { minBytes: config.AUDIT_FETCH_MIN_BYTES, maxWaitMs: config.AUDIT_FETCH_MAX_WAIT_MS },
                topics: {
                  decisions: config.DECISIONS_TOPIC,
                  policyEvents: config.POLICY_EVENTS_TOPIC,
                  identityEvents: config.IDENTITY_EVENTS_TOPIC,
                  deadLetter: {
                    decision: config.DECISIONS_DLQ_TOPIC,
                    policy: config.POLICY_DLQ_TOPIC,
                    identity: config.IDENTITY_DLQ_TOPIC,
                  },
                },
                ...(overrides.ingestHooks ? { hooks: overrides.ingestHooks } : {}),
              },
              logger,
            ),
        },
        {
          provide: SIEM_FORWARDERS,
          inject: [AuditLogRepository, DataSource, LOGGER],
          useFactory: (repository: AuditLogRepository, ds: DataSource, logger: Logger) =>
            siemTransports(config).map(
              (t) =>
                new SiemForwarder(
                  t,
                  repository,
                  new SiemPositionRepository(ds),
                  {
                    batchSize: config.SIEM_BATCH_SIZE,
                    pollMs: config.SIEM_POLL_MS,
                    maxBackoffMs: config.SIEM_MAX_BACKOFF_MS,
                  },
                  logger,
                ),
            ),
        },
        {
          provide: AuditLifecycle,
          inject: [AuditMaintenance, AuditIngestConsumer, ReadinessRegistry, SIEM_FORWARDERS, KAFKA, LOGGER],
          useFactory: (
            m: AuditMaintenance,
            i: AuditIngestConsumer,
            r: ReadinessRegistry,
            f: SiemForwarder[],
            kafka: Kafka,
            logger: Logger,
          ) => new AuditLifecycle(m, i, config, r, f, kafka, logger),
        },
        { provide: ExportStats, useValue: new ExportStats() },
        {
          provide: AUDIT_METRICS_SNAPSHOT,
          inject: [AuditIngestConsumer, SIEM_FORWARDERS, ExportStats, AuditMaintenance],
          useFactory:
            (
              ingest: AuditIngestConsumer,
              forwarders: SiemForwarder[],
              exports: ExportStats,
              maintenance: AuditMaintenance,
            ): AuditMetricsSource =>
            () => ({
              ingest: { enabled: config.INGEST_ENABLED, running: ingest.isRunning, stats: ingest.stats },
              forwarders: forwarders.map((f) => f.status()),
              exports,
              maintenance: maintenance.stats,
            }),
        },
        { provide: AUDIT_READ_ALL_ROLES, useValue: config.AUDIT_READ_ALL_ROLES },
        {
          provide: PRINCIPAL_AUTHENTICATOR,
          useFactory: () =>
            overrides.authenticator ??
            bearerAuthenticator({
              identityIssuer: config.IDENTITY_ISSUER,
              identityAudience: config.IDENTITY_AUDIENCE,
              oidcIssuers: config.OIDC_ISSUERS,
              oidcAudience: config.OIDC_AUDIENCE,
              verifiedTokenCacheMs: 60_000,
            }),
        },
        AuditAccessGuard,
      ],
      exports: [AuditLogRepository, AuditMaintenance, AuditIngestConsumer, SIEM_FORWARDERS],
    };
  }
}
