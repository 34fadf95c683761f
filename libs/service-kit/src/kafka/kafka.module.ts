import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { createKafka, SafeProducer, type KafkaConnection } from '@modelgate/messaging';
import type { Logger } from '@modelgate/telemetry';
import { ReadinessRegistry } from '../health/readiness';
import { LOGGER } from '../bootstrap/tokens';

export const KAFKA = Symbol('KAFKA');

/** Connects the service's idempotent producer at start (refusing to start otherwise) and reports broker readiness. */
class KafkaLifecycle implements OnModuleInit, OnApplicationShutdown {
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: SafeProducer,
    private readonly readiness: ReadinessRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const admin = this.admin;
    this.readiness.register({
      name: 'kafka',
      check: async () => {
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('no brokers in cluster metadata');
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
    await this.admin?.disconnect();
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(connection: KafkaConnection): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA, inject: [LOGGER], useFactory: (logger: Logger) => createKafka(connection, logger) },
        { provide: SafeProducer, inject: [KAFKA], useFactory: (kafka: Kafka) => new SafeProducer(kafka) },
        {
          provide: KafkaLifecycle,
          inject: [KAFKA, SafeProducer, ReadinessRegistry],
          useFactory: (kafka: Kafka, producer: SafeProducer, readiness: ReadinessRegistry) =>
            new KafkaLifecycle(kafka, producer, readiness),
        },
      ],
      exports: [KAFKA, SafeProducer],
    };
  }
}

export const InjectKafka = (): ParameterDecorator => Inject(KAFKA);
