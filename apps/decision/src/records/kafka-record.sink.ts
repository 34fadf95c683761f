import type { IHeaders, Kafka } from 'kafkajs';
import { DECISION_RECORD_SCHEMA, DECISION_RECORD_TYPE, ENVELOPE_HEADERS } from '@modelgate/contracts';
import { SAFE_PRODUCER_CONFIG, SafeProducer } from '@modelgate/messaging';
import type { RecordLine, RecordSink } from './decision-recorder';

/**
 * The envelope headers every record carries, built once: kafkajs copies a Buffer value into
 * the batch as it is, where a string would be encoded again for every record.
 */
const RECORD_HEADERS: Readonly<IHeaders> = Object.freeze({
  [ENVELOPE_HEADERS.type]: Buffer.from(DECISION_RECORD_TYPE),
  [ENVELOPE_HEADERS.schema]: Buffer.from(String(DECISION_RECORD_SCHEMA)),
});

/**
 * The decisions topic, through an idempotent acks=all producer of its own whose retries are
 * bounded: a send while Kafka is down fails within seconds (and the recorder spools), instead
 * of retrying for ever and delivering a copy of every replay attempt later.
 *
 * A failed send leaves the producer's sequence numbers in doubt, so the next send goes
 * through a new producer (a new producer id, sequences from 0). kafkajs numbers a batch
 * before it writes the request and takes the number back when the request fails; when the
 * connection closes after the broker appended the batch but before its answer arrived, the
 * broker's next expected sequence is ahead of the producer's, and every later batch from that
 * producer is refused with OUT_OF_ORDER_SEQUENCE_NUMBER (not retriable) for as long as it
 * lives: the replay would never drain. A send kafkajs retries itself keeps the same numbers
 * and the same messages, which the broker deduplicates; it is only the next, different batch
 * that a stale number poisons. The batch in doubt is in the spool and is sent again: a
 * duplicate, which at-least-once delivery allows (consumers deduplicate on `decision_id`).
 */
export class KafkaRecordSink implements RecordSink {
  private producer: SafeProducer;
  /** The last send failed: its producer's sequence numbers may no longer match the broker's. */
  private inDoubt = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = this.createProducer();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(records: readonly RecordLine[]): Promise<void> {
    if (this.inDoubt) await this.replaceProducer();
    try {
      await this.producer.send(
        this.topic,
        records.map((r) => ({ key: r.key, value: r.value, headers: RECORD_HEADERS })),
      );
    } catch (error) {
      this.inDoubt = true;
      throw error;
    }
  }

  /** Rejects while Kafka is unreachable; the next send tries again with yet another producer. */
  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.createProducer();
    await old.disconnect().catch(() => undefined);
    await this.producer.connect();
    this.inDoubt = false;
  }

  private createProducer(): SafeProducer {
    return new SafeProducer(this.kafka, {
      ...SAFE_PRODUCER_CONFIG,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }
}
