import {
  Partitioners,
  type Kafka,
  type Message,
  type Producer,
  type ProducerConfig,
  type RecordMetadata,
} from 'kafkajs';

/** acks=all: a write is acknowledged only once every in-sync replica has it. */
export const ACKS_ALL = -1;

export class UnsafeProducerConfigError extends Error {
  constructor(reason: string) {
    super(
      `refusing to start: Kafka producer is not safe (${reason}); modelgate requires idempotent=true and acks=all`,
    );
    this.name = 'UnsafeProducerConfigError';
  }
}

/** The producer settings every service uses; exported so tests can assert them. */
export const SAFE_PRODUCER_CONFIG: ProducerConfig = {
  idempotent: true,
  // kafkajs keeps ordering with idempotence only with one in-flight request per broker.
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  // Murmur2 keyed partitioning, the same as the Java client: a key maps to the same
  // partition whichever language produced it.
  createPartitioner: Partitioners.DefaultPartitioner,
  // An idempotent producer retries until the broker answers (kafkajs warns otherwise);
  // callers that must not wait forever (decision records) bound the wait themselves.
  retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
};

/**
 * Validates a producer configuration and acks level. A service calls this before it
 * connects, so that a config change that weakens delivery stops it at start-up.
 */
export function assertSafeProducer(config: ProducerConfig, acks: number): void {
  if (config.idempotent !== true) throw new UnsafeProducerConfigError('idempotent is not enabled');
  if (acks !== ACKS_ALL) throw new UnsafeProducerConfigError(`acks=${acks}`);
  if (config.maxInFlightRequests === undefined || config.maxInFlightRequests > 1) {
    throw new UnsafeProducerConfigError('more than one in-flight request breaks ordering with idempotence');
  }
}

/**
 * Idempotent, acks=all producer. Its `send` takes no acks argument, so no caller can
 * weaken delivery per message.
 */
export class SafeProducer {
  private readonly producer: Producer;

  constructor(kafka: Kafka, config: ProducerConfig = SAFE_PRODUCER_CONFIG) {
    assertSafeProducer(config, ACKS_ALL);
    this.producer = kafka.producer(config);
  }

  /** Connecting also obtains a producer id from the broker (InitProducerId), proving idempotence is in effect. */
  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async send(topic: string, messages: Message[]): Promise<RecordMetadata[]> {
    return this.producer.send({ topic, messages, acks: ACKS_ALL });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
