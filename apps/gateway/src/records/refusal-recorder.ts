import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  DECISION_RECORD_SCHEMA,
  DECISION_RECORD_TYPE,
  ENVELOPE_HEADERS,
  type DecisionRecordV1,
  type DecisionWireReason,
} from '@modelgate/contracts';
import { traceIdOf, type Logger } from '@modelgate/telemetry';
import type { DecisionPrincipal } from '../decision/decision-client';

/** A refusal the gateway makes before (or instead of) a decision. */
export interface Refusal {
  readonly decisionId?: string;
  readonly requestId: string;
  readonly traceparent?: string | undefined;
  readonly principal: DecisionPrincipal | null;
  readonly model: string;
  readonly operation: string;
  readonly ip: string | null;
  readonly reason: DecisionWireReason;
  readonly detail: string | null;
  readonly startedAt: bigint;
}

export interface RecordProducer {
  send(
    topic: string,
    messages: { key: string; value: string; headers: Record<string, string> }[],
  ): Promise<unknown>;
}

const BATCH = 500;
const LINGER_MS = 20;

/**
 * Writes the gateway's own refusals (unauthenticated, key scope, decision unavailable, bad
 * model names) to the decisions topic, so that the audit trail holds every attempt and not
 * only those the decision service saw. The refusal itself never waits for Kafka: records are
 * batched and retried from a bounded buffer, and what overflows it is counted and logged.
 */
export class RefusalRecorder {
  private readonly queue: DecisionRecordV1[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;
  private readonly replica = `gateway:${hostname()}:${process.pid}`;

  constructor(
    private readonly producer: RecordProducer,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly maxBuffered = 100_000,
  ) {}

  /** Returns the decision id the refusal is recorded under (sent back as `x-decision-id`). */
  record(refusal: Refusal): string {
    const id = refusal.decisionId ?? randomUUID();
    const record: DecisionRecordV1 = {
      schema: DECISION_RECORD_SCHEMA,
      decision_id: id,
      time: new Date().toISOString(),
      request_id: refusal.requestId,
      trace_id: traceIdOf(refusal.traceparent),
      principal: refusal.principal && {
        id: refusal.principal.id,
        type: refusal.principal.type,
        roles: [...refusal.principal.roles],
        groups: [...refusal.principal.groups],
      },
      model: refusal.model,
      operation: refusal.operation,
      source_ip: refusal.ip,
      allow: false,
      reason: refusal.reason,
      rule_id: null,
      policy_version: 0,
      shadow: null,
      detail: refusal.detail,
      latency_us: Number((process.hrtime.bigint() - refusal.startedAt) / 1000n),
      replica: this.replica,
    };
    if (this.queue.length >= this.maxBuffered) {
      this.queue.shift();
      if (this.dropped++ % 1000 === 0)
        this.logger.error(
          { dropped: this.dropped },
          'refusal records dropped: Kafka unreachable and buffer full',
        );
    }
    this.queue.push(record);
    if (this.queue.length >= BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), LINGER_MS);
    return id;
  }

  get pending(): number {
    return this.queue.length;
  }

  get droppedCount(): number {
    return this.dropped;
  }

  /** Sends what is buffered; resolves when it is sent or has failed (and stays buffered). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, BATCH);
      try {
        await this.producer.send(
          this.topic,
          batch.map((r) => ({
            key: r.model,
            value: JSON.stringify(r),
            headers: {
              [ENVELOPE_HEADERS.type]: DECISION_RECORD_TYPE,
              [ENVELOPE_HEADERS.schema]: String(DECISION_RECORD_SCHEMA),
            },
          })),
        );
        this.queue.splice(0, batch.length);
      } catch (error) {
        this.logger.warn({ err: error, pending: this.queue.length }, 'refusal records not sent; retrying');
        this.timer ??= setTimeout(() => void this.flush(), 1_000);
        return;
      }
    }
  }
}
