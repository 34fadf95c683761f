// Feeds the policy and identity stores from Kafka. Every replica reads everything: its own
// consumer group (one per process), no offsets committed. At start it notes the end offsets
// of the state and identity topics and is "loading" until it has read up to them; the events
// topic is followed from its end at start (anything older is in the state topic, which is
// also followed for ever and heals gaps). Ready = caught up and a fetch completed within
// MAX_STALENESS_MS; otherwise every check is denied (policy_not_loaded / policy_stale).
import type { Consumer, EachMessagePayload, Kafka, Message } from 'kafkajs';
import type { EventEnvelope } from '@modelgate/contracts';
import { decodeEnvelope, retryRetriable } from '@modelgate/messaging';
import type { Logger } from '@modelgate/telemetry';
import type { IdentityStore } from '../identity/identity-store';
import type { Metrics } from '../metrics/metrics';
import type { PolicyStore } from './policy-store';

export interface FeedTopics {
  readonly state: string;
  readonly events: string;
  readonly identity: string;
  readonly policyDeadLetter: string;
  readonly identityDeadLetter: string;
}

/** Where records the feed cannot use go (the service's idempotent producer). */
export interface DeadLetterPort {
  send(topic: string, messages: Message[]): Promise<unknown>;
}

export interface FeedOptions {
  readonly groupId: string;
  readonly maxStalenessMs: number;
  readonly now?: () => number;
}

export type FeedStatus = 'loading' | 'ready' | 'stale';

// Fetches with nothing new for a partition, after which a partition still short of its start
// offset is taken to end in records compaction removed (an old tombstone at the tail).
const FETCHES_BEFORE_COMPACTED_TAIL = 5;
const DEAD_LETTER_TIMEOUT_MS = 10_000;

interface PartitionProgress {
  readonly target: number;
  position: number;
  fetchesWithoutProgress: number;
}

export class PolicyFeed {
  private consumer?: Consumer;
  private readonly lagging = new Map<string, PartitionProgress>();
  private caughtUp = false;
  private lastFetchAt: number;
  private caughtUpAt: number | null = null;
  private readonly startedAt: number;
  private readonly waiters: (() => void)[] = [];
  private deadLetterChain: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly countRecord: (labels: { topic: string; outcome: string }) => void;
  private readonly countDeadLetter: (labels: { topic: string; outcome: string }) => void;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: FeedTopics,
    private readonly policy: PolicyStore,
    private readonly identity: IdentityStore,
    private readonly deadLetters: DeadLetterPort,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly options: FeedOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.lastFetchAt = this.startedAt;
    this.countRecord = metrics.counter(
      'modelgate_decision_feed_records_total',
      'Policy and identity records read, by topic role and outcome (applied, duplicate, gap, invalid, ignored).',
    );
    this.countDeadLetter = metrics.counter(
      'modelgate_decision_feed_dead_letters_total',
      'Records sent to a dead-letter topic, by topic role and outcome (sent, failed).',
    );
    metrics.collected(
      'modelgate_decision_policy_ready',
      '1 when the replica has read the policy to the end and its feed is fresh.',
      () => (this.status() === 'ready' ? 1 : 0),
    );
    metrics.collected(
      'modelgate_decision_policy_staleness_seconds',
      'Seconds since the policy feed last completed a fetch.',
      () => (this.now() - this.lastFetchAt) / 1000,
    );
    metrics.collected(
      'modelgate_decision_policy_patterns',
      'Model patterns with documents held by this replica.',
      () => this.policy.index.documentCount,
    );
    metrics.collected(
      'modelgate_decision_policy_rules',
      'Rules held by this replica.',
      () => this.policy.index.ruleCount,
    );
    metrics.collected(
      'modelgate_decision_policy_awaiting_reload',
      'Patterns whose events had a gap, waiting for the state topic.',
      () => this.policy.awaitingReload,
    );
    metrics.collected(
      'modelgate_decision_identity_disabled_principals',
      'Principals identity disabled.',
      () => this.identity.disabledCount,
    );
  }

  status(): FeedStatus {
    if (!this.caughtUp) return 'loading';
    return this.now() - this.lastFetchAt > this.options.maxStalenessMs ? 'stale' : 'ready';
  }

  /** Why the feed is not ready, for the readiness check; null when ready. */
  problem(): string | null {
    switch (this.status()) {
      case 'ready':
        return null;
      case 'loading':
        return `loading policy: ${this.lagging.size} partition(s) short of their start offsets`;
      case 'stale':
        return `policy feed stalled: no fetch for ${this.now() - this.lastFetchAt} ms (max ${this.options.maxStalenessMs} ms)`;
    }
  }

  /** Milliseconds from construction to catch-up, once caught up. */
  get loadMs(): number | null {
    return this.caughtUpAt === null ? null : this.caughtUpAt - this.startedAt;
  }

  /** Resolves once the feed has read the state and identity topics to their start offsets. */
  whenCaughtUp(): Promise<void> {
    return this.caughtUp ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of [this.topics.state, this.topics.identity]) {
        for (const p of await retryRetriable(() => admin.fetchTopicOffsets(topic))) {
          const high = Number(p.high);
          if (high > Number(p.low))
            this.lagging.set(`${topic}:${p.partition}`, {
              target: high,
              position: 0,
              fetchesWithoutProgress: 0,
            });
        }
      }
    } finally {
      await admin.disconnect();
    }
    this.logger.info(
      { partitions: this.lagging.size, group_id: this.options.groupId },
      'policy feed: reading state to its end',
    );
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: Math.min(500, Math.floor(this.options.maxStalenessMs / 4)),
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.FETCH, () => this.onFetch());
    consumer.on(consumer.events.CRASH, (event) =>
      this.logger.warn({ err: event.payload.error }, 'policy feed consumer crashed; kafkajs restarts it'),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topics.state, this.topics.identity], fromBeginning: true });
    await consumer.subscribe({ topics: [this.topics.events], fromBeginning: false });
    await consumer.run({ autoCommit: false, eachMessage: (payload) => this.onMessage(payload) });
    this.checkCaughtUp();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private onFetch(): void {
    this.lastFetchAt = this.now();
    if (this.caughtUp) return;
    for (const [key, progress] of this.lagging) {
      if (++progress.fetchesWithoutProgress >= FETCHES_BEFORE_COMPACTED_TAIL) {
        this.logger.warn(
          { partition: key, position: progress.position, target: progress.target },
          'policy feed: partition ends in compacted records; taken as read',
        );
        this.lagging.delete(key);
      }
    }
    this.checkCaughtUp();
  }

  private onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    try {
      if (topic === this.topics.events) this.onPolicyEvent(message);
      else if (topic === this.topics.state) this.onPolicyState(message);
      else if (topic === this.topics.identity) this.onIdentityEvent(message);
    } catch (error) {
      // A bug, not bad data: log it and keep the feed going with the last good policy.
      this.logger.error(
        { err: error, topic, partition, offset: message.offset },
        'policy feed: record failed',
      );
      this.countRecord({ topic: this.role(topic), outcome: 'invalid' });
    }
    if (!this.caughtUp) {
      const key = `${topic}:${partition}`;
      const progress = this.lagging.get(key);
      if (progress !== undefined) {
        progress.position = Number(message.offset) + 1;
        progress.fetchesWithoutProgress = 0;
        if (progress.position >= progress.target) {
          this.lagging.delete(key);
          this.checkCaughtUp();
        }
      }
    }
    return Promise.resolve();
  }

  private onPolicyState(message: Message & { offset: string }): void {
    const key = message.key?.toString('utf8');
    if (key === undefined) return this.rejectRecord('state', message, 'state record without a key');
    let value: unknown = null;
    if (message.value !== null && message.value !== undefined) {
      try {
        value = JSON.parse(message.value.toString('utf8'));
      } catch {
        return this.rejectRecord('state', message, 'state record is not JSON');
      }
      if (value === null) return this.rejectRecord('state', message, 'state record is JSON null');
    }
    const header = message.headers?.['policy-version'];
    const tombstoneVersion = header === undefined ? null : Number(header.toString());
    const outcome = this.policy.applyState(
      key,
      value,
      Number.isSafeInteger(tombstoneVersion) ? tombstoneVersion : null,
    );
    this.countRecord({ topic: 'state', outcome: outcome.kind });
    if (outcome.kind === 'invalid') this.deadLetter('state', message, outcome.problem);
  }

  private onPolicyEvent(message: Message & { offset: string }): void {
    const envelope = this.envelopeOf('events', message);
    if (envelope === null) return;
    const outcome = this.policy.applyEvent(envelope);
    this.countRecord({ topic: 'events', outcome: outcome.kind });
    if (outcome.kind === 'invalid') this.deadLetter('events', message, outcome.problem);
    else if (outcome.kind === 'gap')
      this.logger.warn(
        { pattern: outcome.pattern, have: outcome.have, got: outcome.got },
        'policy feed: gap in events; waiting for the state topic',
      );
  }

  private onIdentityEvent(message: Message & { offset: string }): void {
    const envelope = this.envelopeOf('identity', message);
    if (envelope === null) return;
    const outcome = this.identity.apply(envelope);
    this.countRecord({ topic: 'identity', outcome: typeof outcome === 'string' ? outcome : 'invalid' });
    if (typeof outcome !== 'string') this.deadLetter('identity', message, outcome.invalid);
  }

  /** Best effort, bounded: the bad record is skipped either way (the last good policy stays). */
  private deadLetter(
    role: 'state' | 'events' | 'identity',
    message: Message & { offset: string },
    problem: string,
  ): void {
    this.logger.warn(
      { topic: role, offset: message.offset, problem },
      'policy feed: invalid record kept out; last good policy stays',
    );
    const topic = role === 'identity' ? this.topics.identityDeadLetter : this.topics.policyDeadLetter;
    const source =
      role === 'identity' ? this.topics.identity : role === 'state' ? this.topics.state : this.topics.events;
    const headers = {
      ...(message.headers ?? {}),
      'dlq-reason': problem.slice(0, 2000),
      'dlq-source-topic': source,
      'dlq-source-offset': message.offset,
      'dlq-consumer': 'decision',
    };
    // One at a time: concurrent sends of an idempotent producer can race on sequence numbers.
    this.deadLetterChain = this.deadLetterChain.then(async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer in ${DEAD_LETTER_TIMEOUT_MS} ms`)),
          DEAD_LETTER_TIMEOUT_MS,
        );
      });
      try {
        await Promise.race([
          this.deadLetters.send(topic, [{ key: message.key ?? null, value: message.value ?? null, headers }]),
          timeout,
        ]);
        this.countDeadLetter({ topic: role, outcome: 'sent' });
      } catch (error) {
        this.countDeadLetter({ topic: role, outcome: 'failed' });
        this.logger.error({ err: error, topic }, 'policy feed: dead-letter write failed');
      } finally {
        clearTimeout(timer);
      }
    });
  }

  /** The record's envelope; null (and the record dead-lettered) when it is not one. */
  private envelopeOf(
    role: 'events' | 'identity',
    message: Message & { offset: string },
  ): EventEnvelope | null {
    try {
      return decodeEnvelope(message.value === undefined ? null : (message.value as Buffer | null));
    } catch (error) {
      this.rejectRecord(role, message, error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  /** A record that is not even readable (no key, not JSON, not an envelope): counted and dead-lettered. */
  private rejectRecord(
    role: 'state' | 'events' | 'identity',
    message: Message & { offset: string },
    problem: string,
  ): void {
    this.countRecord({ topic: role, outcome: 'invalid' });
    this.deadLetter(role, message, problem);
  }

  private role(topic: string): string {
    return topic === this.topics.identity ? 'identity' : topic === this.topics.state ? 'state' : 'events';
  }

  private checkCaughtUp(): void {
    if (this.caughtUp || this.consumer === undefined || this.lagging.size > 0) return;
    this.caughtUp = true;
    this.caughtUpAt = this.now();
    this.logger.info(
      { load_ms: this.loadMs, patterns: this.policy.patternCount, rules: this.policy.index.ruleCount },
      'policy feed: caught up; ready',
    );
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
