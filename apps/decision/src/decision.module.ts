// Wires the decision service: stores fed from Kafka, the limiter, the recorder, the
// application layer, and both transports (REST controllers, the gRPC server).
import { randomBytes } from 'node:crypto';
import { Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { SafeProducer } from '@modelgate/messaging';
import { KAFKA, LOGGER, ReadinessRegistry } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { DecisionConfig } from './config';
import { DecisionService } from './decisions/decision.service';
import { DecisionsController } from './decisions/decisions.controller';
import { DecisionGrpcTransport } from './decisions/decisions.grpc-server';
import { IdentityStore } from './identity/identity-store';
import { Metrics } from './metrics/metrics';
import { MetricsController } from './metrics/metrics.controller';
import { PolicyFeed } from './policy/policy-feed';
import { PolicyStore } from './policy/policy-store';
import { RedisSlidingWindowLimiter } from './rate-limit/redis-sliding-window.limiter';
import { DecisionRateLimiter } from './rate-limit/rate-limiter';
import { DecisionRecorder } from './records/decision-recorder';
import { KafkaRecordSink } from './records/kafka-record.sink';
import { RecordSpool } from './records/record-spool';

const REDIS = Symbol('REDIS');

/** What a test may put in place of the service's own parts. */
export interface DecisionSeams {
  /**
   * The Kafka client decision records travel through; by default the service's own. The
   * outage test routes only this one through a proxy it cuts, so that the policy feed (and
   * the shared broker) stay up while records have nowhere to go.
   */
  readonly recordsKafka?: Kafka;
}

/** Starts the feed and the recorder, registers readiness, and stops them in order. */
class DecisionLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly feed: PolicyFeed,
    private readonly sink: KafkaRecordSink,
    private readonly recorder: DecisionRecorder,
    private readonly redis: Redis | null,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    this.recorder.start();
    await this.sink.connect();
    this.readiness.register({
      name: 'policy',
      check: () => {
        const problem = this.feed.problem();
        return problem === null ? Promise.resolve() : Promise.reject(new Error(problem));
      },
    });
    await this.feed.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.feed.stop().catch(() => undefined);
    await this.recorder.stop();
    await this.sink.disconnect().catch(() => undefined);
    this.redis?.disconnect();
  }
}

@Module({})
export class DecisionModule {
  static forRoot(config: DecisionConfig, seams: DecisionSeams = {}): DynamicModule {
    return {
      module: DecisionModule,
      controllers: [DecisionsController, MetricsController],
      providers: [
        Metrics,
        { provide: PolicyStore, useValue: new PolicyStore() },
        { provide: IdentityStore, useValue: new IdentityStore() },
        {
          provide: REDIS,
          useFactory: (): Redis | null =>
            config.REDIS_URL === undefined
              ? null
              : new Redis(config.REDIS_URL, {
                  enableOfflineQueue: false,
                  maxRetriesPerRequest: 0,
                  connectTimeout: 1_000,
                  lazyConnect: false,
                  retryStrategy: (times) => Math.min(times * 200, 2_000),
                }),
        },
        {
          provide: DecisionRateLimiter,
          inject: [REDIS, Metrics, LOGGER],
          useFactory: (redis: Redis | null, metrics: Metrics, logger: Logger) => {
            // ioredis reports connection errors as events; the limiter reports the fallback.
            redis?.on('error', () => undefined);
            const shared =
              redis === null ? null : new RedisSlidingWindowLimiter(redis, config.RATE_LIMIT_KEY_PREFIX);
            return new DecisionRateLimiter(shared, config.REDIS_TIMEOUT_MS, metrics, logger);
          },
        },
        {
          provide: KafkaRecordSink,
          inject: [KAFKA],
          useFactory: (kafka: Kafka) =>
            new KafkaRecordSink(seams.recordsKafka ?? kafka, config.DECISIONS_TOPIC),
        },
        {
          provide: DecisionRecorder,
          inject: [KafkaRecordSink, Metrics, LOGGER],
          useFactory: (sink: KafkaRecordSink, metrics: Metrics, logger: Logger) =>
            new DecisionRecorder(
              sink,
              new RecordSpool(config.SPOOL_DIR),
              {
                lingerMs: config.RECORD_LINGER_MS,
                batchSize: config.RECORD_BATCH_SIZE,
                sendTimeoutMs: config.RECORD_SEND_TIMEOUT_MS,
                maxBytes: config.SPOOL_MAX_BYTES,
              },
              metrics,
              logger,
            ),
        },
        {
          provide: PolicyFeed,
          inject: [KAFKA, PolicyStore, IdentityStore, SafeProducer, Metrics, LOGGER],
          useFactory: (
            kafka: Kafka,
            policy: PolicyStore,
            identity: IdentityStore,
            producer: SafeProducer,
            metrics: Metrics,
            logger: Logger,
          ) =>
            new PolicyFeed(
              kafka,
              {
                state: config.POLICY_STATE_TOPIC,
                events: config.POLICY_EVENTS_TOPIC,
                identity: config.IDENTITY_EVENTS_TOPIC,
                policyDeadLetter: config.POLICY_DLQ_TOPIC,
                identityDeadLetter: config.IDENTITY_DLQ_TOPIC,
              },
              policy,
              identity,
              producer,
              metrics,
              logger,
              {
                groupId: `modelgate-decision-${config.REPLICA_ID}-${randomBytes(4).toString('hex')}`,
                maxStalenessMs: config.MAX_STALENESS_MS,
              },
            ),
        },
        {
          provide: DecisionService,
          inject: [PolicyStore, IdentityStore, PolicyFeed, DecisionRateLimiter, DecisionRecorder, Metrics],
          useFactory: (
            policy: PolicyStore,
            identity: IdentityStore,
            feed: PolicyFeed,
            limiter: DecisionRateLimiter,
            recorder: DecisionRecorder,
            metrics: Metrics,
          ) => new DecisionService(policy, identity, feed, limiter, recorder, config.REPLICA_ID, metrics),
        },
        {
          provide: DecisionGrpcTransport,
          inject: [DecisionService, LOGGER],
          useFactory: (decisions: DecisionService, logger: Logger) =>
            new DecisionGrpcTransport(
              decisions,
              { host: config.BIND_ADDRESS, port: config.GRPC_PORT },
              // Calls in flight get half the shutdown time; the recorder flushes after them.
              config.SHUTDOWN_TIMEOUT_MS / 2,
              logger,
            ),
        },
        {
          provide: DecisionLifecycle,
          inject: [PolicyFeed, KafkaRecordSink, DecisionRecorder, REDIS, ReadinessRegistry],
          useFactory: (
            feed: PolicyFeed,
            sink: KafkaRecordSink,
            recorder: DecisionRecorder,
            redis: Redis | null,
            readiness: ReadinessRegistry,
          ) => new DecisionLifecycle(feed, sink, recorder, redis, readiness),
        },
      ],
      exports: [
        DecisionService,
        PolicyFeed,
        DecisionRecorder,
        Metrics,
        PolicyStore,
        IdentityStore,
        DecisionRateLimiter,
      ],
    };
  }
}
