import type { OutboxPublisher, RelayedMessage } from '@modelgate/event-store';
import type { SafeProducer } from '@modelgate/messaging';

/** The relay's port on Kafka: the idempotent, acks=all producer; keyed messages keep their order per partition. */
export class KafkaOutboxPublisher implements OutboxPublisher {
  constructor(private readonly producer: SafeProducer) {}

  async publish(topic: string, messages: readonly RelayedMessage[]): Promise<void> {
    await this.producer.send(
      topic,
      messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
    );
  }
}
