import type { Kafka, Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaRecordSink } from './kafka-record.sink';

/**
 * One partition of an idempotent broker, and producers that number batches the way kafkajs
 * does (sendMessages.js): take the sequence before the request, give it back when the request
 * fails. `loseNextAnswer` is a connection reset after the broker appended a batch.
 */
class FakeBroker {
  readonly log: string[] = [];
  up = true;
  loseNextAnswer = false;
  producers = 0;
  private readonly expected = new Map<number, number>();

  initProducerId(): number {
    if (!this.up) throw new Error('Connection error: connect ECONNREFUSED');
    const id = ++this.producers;
    this.expected.set(id, 0);
    return id;
  }

  produce(producerId: number, firstSequence: number, values: string[]): void {
    if (!this.up) throw new Error('Closed connection');
    if (firstSequence !== this.expected.get(producerId))
      throw Object.assign(new Error('The broker received an out of order sequence number'), {
        type: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
        retriable: false,
      });
    this.log.push(...values);
    this.expected.set(producerId, firstSequence + values.length);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new Error('Closed connection');
    }
  }

  kafka(): Kafka {
    const producer = () => {
      let id = -1;
      let sequence = 0;
      return {
        connect: () => {
          id = this.initProducerId();
          return Promise.resolve();
        },
        disconnect: () => Promise.resolve(),
        send: async ({ messages }: { messages: Message[] }) => {
          await Promise.resolve(); // a request takes a turn of the event loop
          const first = sequence;
          sequence += messages.length;
          try {
            this.produce(
              id,
              first,
              messages.map((m) => String(m.value)),
            );
          } catch (error) {
            sequence -= messages.length;
            throw error;
          }
          return [];
        },
      };
    };
    return { producer } as unknown as Kafka;
  }
}

const lines = (...values: string[]) => values.map((value) => ({ key: 'm', value }));

describe('KafkaRecordSink', () => {
  it('sends through a new producer after a send whose outcome is unknown', async () => {
    const broker = new FakeBroker();
    const sink = new KafkaRecordSink(broker.kafka(), 'decisions');
    await sink.connect();
    await sink.send(lines('a', 'b'));

    broker.loseNextAnswer = true; // appended, but the answer is lost: the producer takes the numbers back
    await expect(sink.send(lines('c'))).rejects.toThrow('Closed connection');
    // The old producer would now be refused for ever (out of order); the sink replaces it.
    await sink.send(lines('c', 'd'));
    await sink.send(lines('e'));

    expect(broker.log).toEqual(['a', 'b', 'c', 'c', 'd', 'e']); // at least once: 'c' twice
    expect(broker.producers).toBe(2);
  });

  it('keeps trying new producers while Kafka is unreachable', async () => {
    const broker = new FakeBroker();
    const sink = new KafkaRecordSink(broker.kafka(), 'decisions');
    await sink.connect();
    broker.up = false;
    await expect(sink.send(lines('a'))).rejects.toThrow('Closed connection');
    await expect(sink.send(lines('a'))).rejects.toThrow('ECONNREFUSED');
    await expect(sink.send(lines('a'))).rejects.toThrow('ECONNREFUSED');
    broker.up = true;
    await sink.send(lines('a'));
    expect(broker.log).toEqual(['a']);
  });

  it('keeps its producer while sends succeed', async () => {
    const broker = new FakeBroker();
    const sink = new KafkaRecordSink(broker.kafka(), 'decisions');
    await sink.connect();
    for (const v of ['a', 'b', 'c']) await sink.send(lines(v));
    expect(broker.producers).toBe(1);
  });
});
