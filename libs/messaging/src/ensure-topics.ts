import type { Admin } from 'kafkajs';
import type { TopicSpec } from '@modelgate/contracts';
import { retryRetriable } from './retry-retriable';

/**
 * Creates the topics that are missing, with their configs. Existing topics are left
 * as they are (changing a live topic's settings is an operator's decision).
 * Replication factor 1 suits the single dev broker; production passes its own.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  replicationFactor = 1,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    // kafkajs's own wait gives up on "does not host this topic-partition", which a broker
    // answers for a moment after creating a topic; the retry below waits it out.
    waitForLeaders: false,
    topics: missing.map((s) => ({
      topic: s.name,
      numPartitions: s.partitions,
      replicationFactor,
      configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
    })),
  });
  for (const spec of missing)
    await retryRetriable(() => admin.fetchTopicOffsets(spec.name), { attempts: 20 });
  return missing.map((s) => s.name);
}
