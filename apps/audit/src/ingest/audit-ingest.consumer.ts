// Kafka → audit trail. One consumer group reads the decisions, policy events and identity
// events topics; each batch (one partition's fetch) becomes one Postgres transaction, and its
// offsets are committed only after that transaction has committed. A crash between the two
// redelivers the batch, and `record_ids` (ON CONFLICT DO NOTHING) makes the replay a no-op.
// A record that cannot be parsed goes to its topic's dead-letter topic, with the reason,
// before the batch's offsets are committed: nothing is dropped silently.
import type { Batch, Consumer, IHeaders, Kafka } from 'kafkajs';
import type { SafeProducer } from '@modelgate/messaging';
import type { Logger } from '@modelgate/telemetry';
import {
  parseAuditRecord,
  UnparseableRecordError,
  type NewAuditRecord,
  type TopicSource,
} from '../records/audit-record';
import type { AppendHooks, AuditLogRepository } from '../storage/audit-log.repository';

export interface IngestTopics {
  readonly decisions: string;
  readonly policyEvents: string;
  readonly identityEvents: string;
  /** Dead-letter topic of each source topic. */
  readonly deadLetter: Readonly<Record<TopicSource, string>>;
}

export interface IngestOptions {
  readonly groupId: string;
  readonly topics: IngestTopics;
  readonly fromBeginning: boolean;
  /**
   * How long a fetch may wait for records to gather (AUDIT_FETCH_MIN_BYTES /
   * AUDIT_FETCH_MAX_WAIT_MS). Each batch costs a Postgres transaction, a chain-lock round and
   * an offset commit whatever its size: at 500 decisions/s, fetching as soon as a record is
   * there cost ~280 µs of audit CPU and ~200 µs of Postgres CPU a record, waiting up to
   * 250 ms for 256 KiB ~70 and ~45 µs (bench/gateway/README.md). The wait adds to the lag
   * (at 5,000 records/s p99 157 ms with 256 KiB, 563 ms with 1 MiB: bench/audit).
   */
  readonly fetch: { readonly minBytes: number; readonly maxWaitMs: number };
  /**
   * Partitions' batches handled at once (default 3): while one batch's transaction runs in
   * Postgres, the next ones are parsed and wait for the chain lock.
   */
  readonly concurrency?: number;
  /** Pause between attempts while Postgres refuses a batch. */
  readonly retryMs?: number;
  /** Test seams: stop a batch at a chosen point (see AppendHooks), or after the rows committed. */
  readonly hooks?: AppendHooks & { afterCommit?(): Promise<void> };
}

export interface IngestStats {
  inserted: number;
  duplicates: number;
  deadLettered: number;
  /** Batches stored (each one Postgres transaction). */
  batches: number;
  /** Time of the newest record written (ms since epoch), for the lag metric. */
  lastRecordTime: number | null;
  /** When the last batch committed (ms since epoch). */
  lastCommitAt: number | null;
  /**
   * From the oldest record's own time to the commit of its row, in the last batch (ms): how
   * far behind the decisions the trail is; it grows while Postgres refuses batches.
   */
  lagMs: number | null;
  /** Seq of the chain head after the last batch. */
  headSeq: number | null;
  /** Messages between each partition's last batch and its high watermark at that fetch. */
  readonly offsetLag: Map<string, { readonly topic: string; readonly partition: number; lag: number }>;
}

/** An error a test hook throws to kill the batch; never retried. */
export class IngestAbortedError extends Error {
  constructor(message = 'ingest aborted') {
    super(message);
    this.name = 'IngestAbortedError';
  }
}

export class AuditIngestConsumer {
  private consumer: Consumer | null = null;
  private running = false;
  readonly stats: IngestStats = {
    inserted: 0,
    duplicates: 0,
    deadLettered: 0,
    batches: 0,
    lastRecordTime: null,
    lastCommitAt: null,
    lagMs: null,
    headSeq: null,
    offsetLag: new Map(),
  };
  private readonly sourceOf: ReadonlyMap<string, TopicSource>;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: SafeProducer,
    private readonly repository: AuditLogRepository,
    private readonly options: IngestOptions,
    private readonly logger: Logger,
  ) {
    const t = options.topics;
    this.sourceOf = new Map<string, TopicSource>([
      [t.decisions, 'decision'],
      [t.policyEvents, 'policy'],
      [t.identityEvents, 'identity'],
    ]);
  }

  get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxBytesPerPartition: 4 * 1024 * 1024,
      // The broker holds a fetch until this much has arrived or the wait is over: one
      // Postgres transaction and one offset commit then carry many records, not a few.
      minBytes: this.options.fetch.minBytes,
      maxWaitTimeInMs: this.options.fetch.maxWaitMs,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.sourceOf.keys()],
      fromBeginning: this.options.fromBeginning,
    });
    this.running = true;
    await consumer.run({
      partitionsConsumedConcurrently: this.options.concurrency ?? 3,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        await this.handleBatch(
          batch,
          () => payload.heartbeat(),
          () => payload.isRunning() && !payload.isStale(),
        );
        // Only now, with the rows committed: the group's offset, then the fetch position.
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: String(BigInt(batch.lastOffset()) + 1n) },
        ]);
        payload.resolveOffset(batch.lastOffset());
        this.stats.offsetLag.set(`${batch.topic}:${batch.partition}`, {
          topic: batch.topic,
          partition: batch.partition,
          lag: Math.max(0, Number(batch.offsetLag())),
        });
      },
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private async handleBatch(
    batch: Batch,
    heartbeat: () => Promise<void>,
    alive: () => boolean,
  ): Promise<void> {
    const source = this.sourceOf.get(batch.topic);
    if (source === undefined) throw new Error(`message from unsubscribed topic ${batch.topic}`);
    const records: NewAuditRecord[] = [];
    const rejected: {
      value: Buffer | null;
      key: Buffer | null;
      headers: IHeaders;
      offset: string;
      reason: string;
    }[] = [];
    for (const m of batch.messages) {
      try {
        records.push(parseAuditRecord(source, m.value));
      } catch (error) {
        if (!(error instanceof UnparseableRecordError)) throw error;
        rejected.push({
          value: m.value,
          key: m.key,
          headers: m.headers ?? {},
          offset: m.offset,
          reason: error.message,
        });
      }
    }
    if (rejected.length > 0) {
      const dlq = this.options.topics.deadLetter[source];
      await this.producer.send(
        dlq,
        rejected.map((r) => ({
          key: r.key,
          value: r.value,
          headers: {
            ...r.headers,
            'dlq-reason': r.reason.slice(0, 1_000),
            'dlq-source-topic': batch.topic,
            'dlq-source-partition': String(batch.partition),
            'dlq-source-offset': r.offset,
            'dlq-consumer': 'audit',
          },
        })),
      );
      this.stats.deadLettered += rejected.length;
      this.logger.warn(
        { topic: batch.topic, dlq, records: rejected.length, reason: rejected[0]?.reason },
        'audit ingest: records dead-lettered',
      );
    }
    if (records.length > 0) await this.appendWithRetry(records, heartbeat, alive);
    await this.options.hooks?.afterCommit?.();
  }

  /** Postgres down or a connection cut mid-transaction: retry the same batch until it commits. */
  private async appendWithRetry(
    records: NewAuditRecord[],
    heartbeat: () => Promise<void>,
    alive: () => boolean,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.repository.append(records, this.options.hooks ?? {});
        const committedAt = Date.now();
        let oldest = Infinity;
        let newest = -Infinity;
        for (const r of records) {
          const t = Date.parse(r.occurredAt);
          if (t < oldest) oldest = t;
          if (t > newest) newest = t;
        }
        const s = this.stats;
        s.inserted += result.inserted;
        s.duplicates += result.duplicates;
        s.batches += 1;
        s.lastRecordTime = Math.max(s.lastRecordTime ?? 0, newest);
        s.lastCommitAt = committedAt;
        s.lagMs = Math.max(0, committedAt - oldest);
        s.headSeq = result.head.seq;
        return;
      } catch (error) {
        if (error instanceof IngestAbortedError || !alive()) throw error;
        this.logger.warn(
          { err: error, attempt, records: records.length },
          'audit ingest: batch not stored; retrying',
        );
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min((this.options.retryMs ?? 200) * attempt, 5_000)),
        );
        await heartbeat().catch(() => undefined);
      }
    }
  }
}
