import { type DynamicModule, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { Agent } from 'undici';
import { SafeProducer } from '@modelgate/messaging';
import { KAFKA, KafkaModule, LOGGER, ReadinessRegistry } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { AccessGate } from './access/access-gate';
import { BackendCatalog } from './backends/backend-catalog';
import { TrustedProxies } from './client-ip/client-ip';
import type { GatewayConfig } from './config';
import { DecisionClient } from './decision/decision-client';
import { PrincipalInvalidation } from './identity-events/principal-invalidation';
import { IdentityClient } from './principal/identity-client';
import { PrincipalCache } from './principal/principal-cache';
import { upstreamAgent } from './proxy/upstream-client';
import { RefusalRecorder } from './records/refusal-recorder';

/** Connections to engines, and (separately) to the services behind the admin routes. */
export const ENGINE_AGENT = Symbol('ENGINE_AGENT');
export const SERVICE_AGENT = Symbol('SERVICE_AGENT');

/** Starts what runs beside the HTTP server and stops it last. */
class GatewayLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly decision: DecisionClient,
    private readonly invalidation: PrincipalInvalidation,
    private readonly refusals: RefusalRecorder,
    private readonly readiness: ReadinessRegistry,
    private readonly agents: Agent[],
  ) {}

  async onModuleInit(): Promise<void> {
    await this.invalidation.start();
    this.readiness.register({ name: 'decision', check: () => this.decision.ready(1_500) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.refusals.flush();
    await this.invalidation.stop();
    this.decision.close();
    await Promise.all(this.agents.map((a) => a.close()));
  }
}

@Module({})
class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      providers: [
        // Read at start: a bad backends file or proxy list stops the gateway with the reason.
        { provide: BackendCatalog, useFactory: () => BackendCatalog.load(config.BACKENDS_FILE) },
        { provide: TrustedProxies, useFactory: () => TrustedProxies.parse(config.TRUSTED_PROXIES) },
        { provide: ENGINE_AGENT, useFactory: () => upstreamAgent(config.UPSTREAM_CONNECTIONS) },
        {
          provide: SERVICE_AGENT,
          useFactory: () => new Agent({ connections: 64, keepAliveTimeout: 30_000 }),
        },
        {
          provide: PrincipalCache,
          inject: [SERVICE_AGENT],
          useFactory: (agent: Agent) =>
            new PrincipalCache(
              new IdentityClient(config.IDENTITY_URL, config.IDENTITY_TIMEOUT_MS, agent),
              config.PRINCIPAL_CACHE_TTL_MS,
            ),
        },
        {
          provide: DecisionClient,
          useFactory: () => new DecisionClient(config.DECISION_GRPC_URL, config.DECISION_DEADLINE_MS),
        },
        {
          provide: RefusalRecorder,
          inject: [SafeProducer, LOGGER],
          useFactory: (producer: SafeProducer, logger: Logger) =>
            new RefusalRecorder(producer, config.DECISIONS_TOPIC, logger),
        },
        {
          provide: AccessGate,
          inject: [PrincipalCache, DecisionClient, RefusalRecorder, LOGGER],
          useFactory: (
            principals: PrincipalCache,
            decision: DecisionClient,
            refusals: RefusalRecorder,
            logger: Logger,
          ) => new AccessGate(principals, decision, refusals, logger),
        },
        {
          provide: PrincipalInvalidation,
          inject: [KAFKA, PrincipalCache, LOGGER],
          useFactory: (kafka: Kafka, cache: PrincipalCache, logger: Logger) =>
            new PrincipalInvalidation(kafka, config.IDENTITY_EVENTS_TOPIC, cache, logger),
        },
        {
          provide: GatewayLifecycle,
          inject: [
            DecisionClient,
            PrincipalInvalidation,
            RefusalRecorder,
            ReadinessRegistry,
            ENGINE_AGENT,
            SERVICE_AGENT,
          ],
          useFactory: (
            decision: DecisionClient,
            invalidation: PrincipalInvalidation,
            refusals: RefusalRecorder,
            readiness: ReadinessRegistry,
            engines: Agent,
            services: Agent,
          ) => new GatewayLifecycle(decision, invalidation, refusals, readiness, [engines, services]),
        },
      ],
      exports: [
        BackendCatalog,
        TrustedProxies,
        ENGINE_AGENT,
        SERVICE_AGENT,
        PrincipalCache,
        DecisionClient,
        AccessGate,
      ],
    };
  }
}

/** The gateway's modules. It faces users; its Kafka producer carries refusals to the audit log. */
export function gatewayModules(config: GatewayConfig): DynamicModule[] {
  return [
    KafkaModule.forRoot({
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID ?? 'modelgate-gateway',
    }),
    GatewayModule.forRoot(config),
  ];
}
