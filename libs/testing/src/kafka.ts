import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, EachMessagePayload, Kafka } from 'kafkajs';

/** A topic name no other test uses, so runs never read each other's records. */
export function uniqueTopicName(prefix: string): string {
  return `test.${prefix}.${randomBytes(5).toString('hex')}`;
}

export async function createTopic(
  admin: Admin,
  topic: string,
  partitions = 1,
  config: Record<string, string> = {},
): Promise<void> {
  // No waitForLeaders: kafkajs's wait gives up on "does not host this topic-partition",
  // which a broker answers for a moment after creating a topic; the poll below waits for it.
  await admin.createTopics({
    waitForLeaders: false,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  // A busy broker can answer the creation before every partition's leader serves
  // offsets; tests start using the topic only once it does.
  // (A plain poll, not @modelgate/messaging's retryRetriable: messaging's own tests use
  // this harness, so it must not depend on messaging.)
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await admin.fetchTopicOffsets(topic);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Reads `count` records of a topic from the beginning with a throw-away consumer group,
 * failing after `timeoutMs` with how many arrived.
 */
export async function readRecords(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<EachMessagePayload[]> {
  const consumer: Consumer = kafka.consumer({ groupId: `test-reader-${randomBytes(5).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: EachMessagePayload[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${records.length}/${count} records of ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: (payload) => {
            records.push(payload);
            if (records.length >= count) {
              clearTimeout(timer);
              resolve();
            }
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
