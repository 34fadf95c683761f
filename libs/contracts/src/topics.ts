/**
 * The Kafka topics of ARCHITECTURE.md with the settings their roles imply. One place,
 * so that the dev setup, the tests and production provisioning create the same topics.
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Topic-level configs as Kafka names them. */
  readonly config: Readonly<Record<string, string>>;
}

export const TOPICS = {
  /** Every policy change event, in order per model (key = model pattern). */
  policyEvents: 'modelgate.policy.events.v1',
  /** Compacted: the current document per model, tombstone on delete. */
  policyState: 'modelgate.policy.state.v1',
  /** Key created/revoked, principal disabled, role mapping changed (key = principal id). */
  identityEvents: 'modelgate.identity.events.v1',
  /** One record per decision: the audit stream and the SIEM feed (key = model). */
  decisions: 'modelgate.decisions.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

const WEEK_MS = String(7 * 24 * 3600 * 1000);

export const TOPIC_SPECS: readonly TopicSpec[] = [
  // Events are the history: kept (the event store in Postgres is the source of truth,
  // Kafka keeps them long enough for any consumer to catch up).
  {
    name: TOPICS.policyEvents,
    partitions: 3,
    config: { 'cleanup.policy': 'delete', 'retention.ms': WEEK_MS },
  },
  // A cold decision replica reads this to the end, so it must hold every live document
  // and nothing else: compaction, tombstones kept a day for slow readers.
  {
    name: TOPICS.policyState,
    partitions: 3,
    config: {
      'cleanup.policy': 'compact',
      'min.compaction.lag.ms': '0',
      'delete.retention.ms': String(24 * 3600 * 1000),
      'segment.ms': String(3600 * 1000),
    },
  },
  {
    name: TOPICS.identityEvents,
    partitions: 3,
    config: { 'cleanup.policy': 'delete', 'retention.ms': WEEK_MS },
  },
  { name: TOPICS.decisions, partitions: 6, config: { 'cleanup.policy': 'delete', 'retention.ms': WEEK_MS } },
];

/** Dead-letter topic of a consumer: where records it cannot process go, with the reason. */
export function deadLetterTopic(source: TopicName, consumer: string): string {
  return `${source}.dlq.${consumer}`;
}
