import type { Kafka } from 'kafkajs';
import { DECISION_RECORD_SCHEMA, DECISION_RECORD_TYPE, ENVELOPE_HEADERS } from '@modelgate/contracts';
import { SAFE_PRODUCER_CONFIG, SafeProducer } from '@modelgate/messaging';
import type { RecordLine, RecordSink } from './decision-recorder';

/**
 * The decisions topic, through an idempotent acks=all producer of its own whose retries are
 * bounded: a send while Kafka is down fails within seconds (and the recorder spools), instead
 * of retrying for ever and delivering a copy of every replay attempt later.
 */
export class KafkaRecordSink implements RecordSink {
  private readonly producer: SafeProducer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = new SafeProducer(kafka, {
      ...SAFE_PRODUCER_CONFIG,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(records: readonly RecordLine[]): Promise<void> {
    await this.producer.send(
      this.topic,
      records.map((r) => ({
        key: r.key,
        value: r.value,
        headers: {
          [ENVELOPE_HEADERS.type]: DECISION_RECORD_TYPE,
          [ENVELOPE_HEADERS.schema]: String(DECISION_RECORD_SCHEMA),
        },
      })),
    );
  }
}
