import type { Logger } from '@modelgate/telemetry';
import type { AuditLogRepository } from '../storage/audit-log.repository';
import type { SiemTransport } from './siem-transports';

/** Where each forwarder got to in the chain (table `siem_positions`, outside the append-only tables). */
export interface SiemPositionStore {
  load(forwarder: string): Promise<number>;
  save(forwarder: string, seq: number): Promise<void>;
}

export interface SiemForwarderOptions {
  readonly batchSize: number;
  readonly pollMs: number;
  readonly maxBackoffMs: number;
}

export interface SiemForwarderStatus {
  readonly forwarder: string;
  /** Last seq the receiver acknowledged (as far as the transport can tell). */
  readonly position: number;
  readonly head: number;
  /** Rows in the trail not forwarded yet. */
  readonly lagRecords: number;
  /** Age of the oldest row not forwarded yet, ms (0 when caught up). */
  readonly lagMs: number;
  /** Failed attempts since start. */
  readonly failures: number;
  /** Failed attempts since the last success: > 0 while the receiver is unreachable. */
  readonly consecutiveFailures: number;
  /** Events sent (and acknowledged as far as the transport can tell) since start. */
  readonly forwarded: number;
}

/**
 * Forwards the trail to a SIEM in seq order, at least once: a batch is read from Postgres
 * after the saved position, sent, and only then does the position move. The trail itself
 * is the durable buffer (bounded by retention): a SIEM that is down for hours loses
 * nothing, and a restart resumes from the saved position. Failures back off exponentially.
 */
export class SiemForwarder {
  private running = false;
  private loop: Promise<void> | null = null;
  private position = 0;
  private head = 0;
  private oldestPendingAt: number | null = null;
  private failures = 0;
  private consecutiveFailures = 0;
  private forwarded = 0;
  private wake: (() => void) | null = null;

  constructor(
    private readonly transport: SiemTransport,
    private readonly repository: AuditLogRepository,
    private readonly positions: SiemPositionStore,
    private readonly options: SiemForwarderOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.position = await this.positions.load(this.transport.name);
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.transport.close();
  }

  status(): SiemForwarderStatus {
    return {
      forwarder: this.transport.name,
      position: this.position,
      head: this.head,
      lagRecords: Math.max(0, this.head - this.position),
      lagMs: this.oldestPendingAt === null ? 0 : Math.max(0, Date.now() - this.oldestPendingAt),
      failures: this.failures,
      consecutiveFailures: this.consecutiveFailures,
      forwarded: this.forwarded,
    };
  }

  private async run(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      try {
        this.head = (await this.repository.head()).seq;
        const batch = await this.repository.after(this.position, this.options.batchSize);
        this.oldestPendingAt = batch[0] ? Date.parse(batch[0].ingested_at) : null;
        if (batch.length === 0) {
          await this.sleep(this.options.pollMs);
          continue;
        }
        await this.transport.send(batch);
        const last = batch[batch.length - 1]!.seq;
        await this.positions.save(this.transport.name, last);
        this.position = last;
        this.forwarded += batch.length;
        this.consecutiveFailures = 0;
        backoff = 0;
      } catch (error) {
        this.failures += 1;
        this.consecutiveFailures += 1;
        backoff = Math.min(backoff === 0 ? 100 : backoff * 2, this.options.maxBackoffMs);
        this.logger.warn(
          { err: error, retry_ms: backoff, ...this.status() },
          'SIEM forward failed; retrying',
        );
        await this.sleep(backoff);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
