// Every check's record reaches Kafka without Kafka being on the answer's path: `accept` only
// queues it in memory; a pump sends batches. A batch goes when it is full (RECORD_BATCH_SIZE)
// or its oldest record has waited RECORD_LINGER_MS, after a send too: going as soon as the
// previous send returns would make one send per Kafka round trip, a record or two each, and
// a send costs the replica and the broker about a millisecond of CPU whatever its size. When a
// batch fails or takes longer than RECORD_SEND_TIMEOUT_MS, it and everything after it go to
// the local spool, in order, until a replayer has sent the spool's lines back to Kafka; then
// sending goes direct again. Room is reserved at `accept`: memory plus spool never exceed
// SPOOL_MAX_BYTES, so an accepted record always has a place to go. A record that has none
// is refused, and the check answering for it is denied (record_unavailable).
//
// Delivery is at least once: a batch that timed out may still arrive after its spooled copy
// is replayed. `decision_id` is unique; consumers deduplicate on it.
import type { DecisionRecordV1 } from '@modelgate/contracts';
import type { Logger } from '@modelgate/telemetry';
import type { Metrics } from '../metrics/metrics';
import type { RecordSpool } from './record-spool';

export interface RecordLine {
  /** Kafka key: the model. */
  readonly key: string;
  /** The record as JSON. */
  readonly value: string;
}

/** Where records go: the decisions topic. Rejects when the batch was not written. */
export interface RecordSink {
  send(records: readonly RecordLine[]): Promise<void>;
}

export interface RecorderOptions {
  readonly lingerMs: number;
  readonly batchSize: number;
  readonly sendTimeoutMs: number;
  readonly maxBytes: number;
  /** Pause between replay attempts while Kafka is still unreachable. */
  readonly retryMs?: number;
}

export type RecorderMode = 'direct' | 'spooling';

// The spool stores lines as `key\tvalue`: a model name never holds a tab, and JSON escapes it.
const SEPARATOR = '\t';

export class DecisionRecorder {
  private buffer: RecordLine[] = [];
  private bufferBytes = 0;
  /** performance.now() when the oldest record in `buffer` was queued (or the last batch left). */
  private bufferSince = 0;
  private mode: RecorderMode = 'direct';
  private pumping = false;
  private replaying = false;
  private timer: NodeJS.Timeout | null = null;
  /** A send that timed out but has not settled: replay waits for it, to keep order. */
  private inflight: Promise<unknown> = Promise.resolve();
  /** Lines the spool could not take (disk failure); retried before anything else. */
  private unwritten: RecordLine[] = [];
  private stopped = false;
  private readonly counters;

  constructor(
    private readonly sink: RecordSink,
    private readonly spool: RecordSpool,
    private readonly options: RecorderOptions,
    metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.counters = {
      sent: metrics.counter(
        'modelgate_decision_records_sent_total',
        'Decision records acknowledged by Kafka, by path (direct, replay).',
      ),
      spooled: metrics.counter(
        'modelgate_decision_records_spooled_total',
        'Decision records written to the local spool while Kafka was unreachable.',
      ),
      refused: metrics.counter(
        'modelgate_decision_records_refused_total',
        'Checks denied because their record had nowhere to go (spool full or failing).',
      ),
      sendFailures: metrics.counter(
        'modelgate_decision_record_send_failures_total',
        'Batches Kafka did not acknowledge in time.',
      ),
    };
    metrics.collected(
      'modelgate_decision_records_pending_bytes',
      'Record bytes not yet acknowledged by Kafka (memory and spool).',
      () => this.pendingBytes,
    );
    metrics.collected(
      'modelgate_decision_records_spool_bytes',
      'Record bytes waiting in the local spool.',
      () => this.spool.pendingBytes,
    );
    metrics.collected(
      'modelgate_decision_records_spooling',
      '1 while records go to the local spool instead of Kafka.',
      () => (this.mode === 'spooling' ? 1 : 0),
    );
  }

  get currentMode(): RecorderMode {
    return this.mode;
  }

  get pendingBytes(): number {
    return (
      this.bufferBytes +
      this.spool.pendingBytes +
      this.unwritten.reduce((n, r) => n + r.key.length + r.value.length + 2, 0)
    );
  }

  /** Opens the spool; records left by an earlier run are replayed first. */
  start(): void {
    this.spool.open();
    if (!this.spool.drained) {
      this.logger.warn(
        { bytes: this.spool.pendingBytes },
        'decision records: replaying the spool of an earlier run',
      );
      this.enterSpooling();
    }
  }

  /** Queues a record; false (and nothing queued) when it could not be kept. */
  accept(record: DecisionRecordV1): boolean {
    const line: RecordLine = { key: record.model, value: JSON.stringify(record) };
    const bytes = line.key.length + line.value.length + 2;
    if (this.stopped || this.unwritten.length > 0 || this.pendingBytes + bytes > this.options.maxBytes) {
      this.counters.refused();
      return false;
    }
    if (this.buffer.length === 0) this.bufferSince = performance.now();
    this.buffer.push(line);
    this.bufferBytes += bytes;
    if (this.buffer.length >= this.options.batchSize) this.schedule(0);
    else this.schedule(this.options.lingerMs);
    return true;
  }

  /** Sends (or spools) what is queued, then stops; the spool keeps what Kafka did not take. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.pump();
    for (let i = 0; i < 100 && (this.pumping || this.replaying); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    this.spool.close();
  }

  /** Resolves when everything accepted so far has been acknowledged by Kafka (tests, shutdown). */
  async drained(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.pendingBytes === 0 && !this.pumping && this.mode === 'direct') return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  private schedule(delayMs: number): void {
    if (this.pumping) return; // the pump loops until the buffer is empty
    if (this.timer !== null) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pump();
    }, delayMs);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    let lingerLeft = 0;
    try {
      while (this.buffer.length > 0 || this.unwritten.length > 0) {
        if (this.unwritten.length > 0 && !this.writeSpool(this.unwritten)) return this.retryLater();
        this.unwritten = [];
        if (this.buffer.length === 0) break;
        lingerLeft = this.lingerLeft();
        if (lingerLeft > 0) break;
        const batch = this.buffer.splice(0, this.options.batchSize);
        this.bufferSince = performance.now();
        const bytes = batch.reduce((n, r) => n + r.key.length + r.value.length + 2, 0);
        this.bufferBytes -= bytes;
        if (this.mode === 'spooling') {
          if (!this.writeSpool(batch)) return this.retryLater(batch);
          continue;
        }
        if (await this.sendDirect(batch)) continue;
        this.enterSpooling();
        if (!this.writeSpool(batch)) return this.retryLater(batch);
      }
    } finally {
      this.pumping = false;
    }
    if (lingerLeft > 0) this.schedule(lingerLeft);
  }

  /** ms the buffer should still wait before a direct send; 0 when full, stopping or spooling. */
  private lingerLeft(): number {
    if (this.stopped || this.mode === 'spooling' || this.buffer.length >= this.options.batchSize) return 0;
    return Math.ceil(this.options.lingerMs - (performance.now() - this.bufferSince));
  }

  private retryLater(batch: RecordLine[] = []): void {
    this.unwritten.push(...batch);
    setTimeout(() => void this.pump(), this.options.retryMs ?? 1_000).unref();
  }

  private async sendDirect(batch: readonly RecordLine[]): Promise<boolean> {
    const sending = this.sink.send(batch);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.sendTimeoutMs);
    });
    try {
      const result = await Promise.race([sending.then(() => 'sent' as const), timedOut]);
      if (result === 'sent') {
        this.counters.sent({ path: 'direct' }, batch.length);
        return true;
      }
      this.inflight = sending.catch(() => undefined);
      this.counters.sendFailures();
      this.logger.warn(
        { records: batch.length, timeout_ms: this.options.sendTimeoutMs },
        'decision records: Kafka did not acknowledge in time; spooling',
      );
      return false;
    } catch (error) {
      this.counters.sendFailures();
      this.logger.warn(
        { err: error, records: batch.length },
        'decision records: Kafka unreachable; spooling',
      );
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Synchronous: true when the lines are on disk. */
  private writeSpool(batch: readonly RecordLine[]): boolean {
    try {
      this.spool.append(batch.map((r) => `${r.key}${SEPARATOR}${r.value}`));
      this.counters.spooled(undefined, batch.length);
      return true;
    } catch (error) {
      this.logger.error(
        { err: error, records: batch.length, dir: this.spool.dir },
        'decision records: spool write failed; denying checks until it works',
      );
      return false;
    }
  }

  private enterSpooling(): void {
    if (this.mode === 'spooling') return;
    this.mode = 'spooling';
    void this.replay();
  }

  private async replay(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    try {
      await this.inflight;
      for (;;) {
        const batch = this.spool.read(this.options.batchSize);
        if (batch === null) {
          // Drained, and in this same synchronous step the pump starts sending directly.
          if (this.unwritten.length > 0) {
            await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1_000));
            continue;
          }
          this.spool.reset();
          this.mode = 'direct';
          this.logger.info('decision records: spool replayed; sending directly again');
          return;
        }
        const lines = batch.lines.map(parseLine);
        try {
          await this.sink.send(lines);
          this.spool.commit(batch.end);
          this.counters.sent({ path: 'replay' }, lines.length);
        } catch (error) {
          if (this.stopped) return;
          this.logger.debug({ err: error }, 'decision records: replay failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1_000));
        }
      }
    } finally {
      this.replaying = false;
    }
  }
}

function parseLine(line: string): RecordLine {
  const tab = line.indexOf(SEPARATOR);
  return tab < 0 ? { key: '', value: line } : { key: line.slice(0, tab), value: line.slice(tab + 1) };
}
