// `node libs/messaging/dist/ensure-topics.cli.js`: creates the Modelgate topics on
// KAFKA_BROKERS and waits until the broker grants idempotent producer ids (a fresh
// broker's transaction coordinator is still loading for a moment; services started
// after this never see that). Run by `./dev` after the broker is up; safe to run again.
import { TOPIC_SPECS } from '@modelgate/contracts';
import { createKafka, type MessagingLogger } from './kafka-client';
import { ensureTopics } from './ensure-topics';
import { SafeProducer } from './safe-producer';

async function main(): Promise<void> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  // kafkajs logs the broker's retriable answers at error level (a fresh broker's
  // coordinator "is loading"); what matters here surfaces as the error thrown below.
  const quiet: MessagingLogger = { error() {}, warn() {}, info() {}, debug() {} };
  const kafka = createKafka({ brokers, clientId: 'modelgate-setup' }, quiet);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, TOPIC_SPECS);
    process.stdout.write(
      created.length ? `created topics: ${created.join(', ')}\n` : 'topics already present\n',
    );
  } finally {
    await admin.disconnect();
  }
  const producer = new SafeProducer(kafka);
  await producer.connect();
  await producer.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(`ensure-topics failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
