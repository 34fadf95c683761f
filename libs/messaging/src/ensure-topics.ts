import type { Admin } from 'kafkajs';
import type { TopicSpec } from '@modelgate/contracts';

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
    waitForLeaders: true,
    topics: missing.map((s) => ({
      topic: s.name,
      numPartitions: s.partitions,
      replicationFactor,
      configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
    })),
  });
  return missing.map((s) => s.name);
}
