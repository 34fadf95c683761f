// Retention forgets the dedupe keys of the rows it drops (see AuditLogRepository
// .applyRetention): a record still on a consumed topic after that would be stored again by
// a replay from the earliest offset. So every consumed topic must keep records for less
// time than the trail does; this reads the topics' `retention.ms` at start to say so.
import { ConfigResourceTypes, type Admin } from 'kafkajs';

const DAY_MS = 24 * 3600 * 1000;

export interface TopicRetentionProblem {
  readonly topic: string;
  /** The topic's `retention.ms`; -1 keeps records forever. */
  readonly retentionMs: number;
  readonly message: string;
}

/**
 * The consumed topics whose records outlive the trail's retention (none when the trail
 * keeps everything: nothing is ever forgotten then). A topic whose retention cannot be read
 * is reported too, as unknown, rather than assumed safe.
 */
export async function topicRetentionProblems(
  admin: Admin,
  topics: readonly string[],
  trailRetentionDays: number,
): Promise<TopicRetentionProblem[]> {
  if (trailRetentionDays === 0) return [];
  const trailMs = trailRetentionDays * DAY_MS;
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['retention.ms'],
    })),
  });
  const problems: TopicRetentionProblem[] = [];
  for (const topic of topics) {
    const resource = described.resources.find((r) => r.resourceName === topic);
    const value = resource?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue;
    const retentionMs = value === undefined || value === null ? Number.NaN : Number(value);
    if (!Number.isFinite(retentionMs)) {
      problems.push({
        topic,
        retentionMs,
        message: `retention.ms of ${topic} could not be read (${resource?.errorMessage ?? 'no value'}); it must be below AUDIT_RETENTION_DAYS (${trailRetentionDays} days)`,
      });
    } else if (retentionMs < 0 || retentionMs >= trailMs) {
      problems.push({
        topic,
        retentionMs,
        message: `${topic} keeps records ${retentionMs < 0 ? 'forever' : `${(retentionMs / DAY_MS).toFixed(1)} days`} (retention.ms=${retentionMs}), not less than the trail's ${trailRetentionDays} days (AUDIT_RETENTION_DAYS): a replay from the earliest offset after retention would store dropped records again`,
      });
    }
  }
  return problems;
}
