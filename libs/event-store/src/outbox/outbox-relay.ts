import { Client } from 'pg';
import { OUTBOX_CHANNEL } from '../postgres-event-store';
import type { OutboxPublisher, RelayedMessage } from './outbox-publisher.port';

export interface RelayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OutboxRelayOptions {
  readonly connectionString: string;
  /** The schema holding the outbox (the service's schema). */
  readonly schema: string;
  readonly publisher: OutboxPublisher;
  /** Rows per batch. */
  readonly batchSize?: number;
  /** Longest sleep between polls when no commit notification arrives. */
  readonly idlePollMs?: number;
  /** Longest wait for the broker per attempt; the loop stays responsive meanwhile. */
  readonly publishTimeoutMs?: number;
  /** After this long without an acknowledgement the batch is sent again (duplicates are safe). */
  readonly resendAfterMs?: number;
  /** Pause after an error (database or broker) before the next attempt. */
  readonly retryDelayMs?: number;
  readonly logger?: RelayLogger;
  /** Fault injection for tests: runs after the broker acknowledged a batch, before it is marked. */
  readonly afterPublish?: (ids: readonly string[]) => Promise<void>;
}

export interface RelayStats {
  readonly leader: boolean;
  readonly published: number;
  readonly batches: number;
  readonly failures: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  payload: unknown;
  headers: Record<string, string>;
}

interface PendingSend {
  readonly ids: string[];
  readonly startedAt: number;
  /** Settles, never rejects: the outcome is in `error`. */
  readonly done: Promise<void>;
  settled: boolean;
  error?: unknown;
}

type TickOutcome = 'not_leader' | 'idle' | 'published' | 'waiting_for_broker';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Relays committed outbox rows to the broker, in `outbox.id` order, at least once.
 *
 * Several replicas: exactly one relays. Each tries a session-level advisory lock
 * (`pg_try_advisory_lock`) on its own connection; the holder relays, the others retry
 * now and then and take over when the holder's connection ends (crash, kill, network).
 * One leader is the simplest choice that keeps per-stream order across replicas; the
 * relay is I/O bound, so a second relay would add races rather than throughput.
 *
 * Out-of-order commits: rows are selected by `published_at IS NULL`, never by "after the
 * last id seen", so a row whose transaction commits after a higher id was relayed is
 * picked up by the next poll instead of being skipped. Within a stream rows always commit
 * in sequence order (an append needs the previous version committed), so relaying the
 * visible rows in id order keeps every stream's order. A visibility horizon
 * (`pg_snapshot_xmin`) is not needed for that, and would stall the relay behind any
 * long-running transaction on the cluster.
 *
 * Broker outage: the idempotent producer retries until the broker answers. The relay
 * waits for that at most `publishTimeoutMs` per attempt, keeps the send in flight (no
 * duplicate sends while it is merely slow) and marks the rows once it is acknowledged;
 * after `resendAfterMs` it gives up on that send and sends the batch again.
 * A crash between the acknowledgement and the marking re-sends the batch: consumers
 * skip sequences they have applied.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly publishTimeoutMs: number;
  private readonly resendAfterMs: number;
  private readonly retryDelayMs: number;
  private readonly lockKey: string;

  private client: Client | undefined;
  private leader = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private pending: PendingSend | undefined;
  private counters = { published: 0, batches: 0, failures: 0 };

  constructor(private readonly options: OutboxRelayOptions) {
    if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
    this.batchSize = options.batchSize ?? 500;
    this.idlePollMs = options.idlePollMs ?? 1_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.resendAfterMs = options.resendAfterMs ?? 30_000;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.lockKey = `event-store outbox relay:${options.schema}`;
  }

  get stats(): RelayStats {
    return { leader: this.leader, ...this.counters };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops relaying and gives up leadership (another replica takes over). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.disconnect();
  }

  /** One attempt: becomes leader if it can, then relays one batch. For tests and the loop. */
  async tick(): Promise<TickOutcome> {
    const client = await this.connection();
    if (!this.leader) {
      const [row] = (
        await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [this.lockKey])
      ).rows;
      this.leader = row?.ok === true;
      if (!this.leader) return 'not_leader';
      this.options.logger?.info({ schema: this.options.schema }, 'outbox relay: leader');
    }
    if (this.pending) return this.awaitPending(client);

    const rows = (
      await client.query<OutboxRow>(
        `SELECT id::text AS id, topic, message_key, payload, headers FROM outbox
         WHERE published_at IS NULL ORDER BY outbox.id LIMIT $1`,
        [this.batchSize],
      )
    ).rows;
    if (rows.length === 0) return 'idle';
    this.pending = this.send(rows);
    return this.awaitPending(client);
  }

  private send(rows: readonly OutboxRow[]): PendingSend {
    const byTopic = new Map<string, RelayedMessage[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push({
        key: row.message_key,
        value: row.payload === null ? null : JSON.stringify(row.payload),
        headers: row.headers,
      });
      byTopic.set(row.topic, list);
    }
    const pending: PendingSend = {
      ids: rows.map((r) => r.id),
      startedAt: Date.now(),
      settled: false,
      done: Promise.resolve(),
    };
    // Topics one after another; within a topic the rows keep their id order.
    const done = (async () => {
      for (const [topic, messages] of byTopic) await this.options.publisher.publish(topic, messages);
    })().then(
      () => {
        pending.settled = true;
      },
      (error: unknown) => {
        pending.settled = true;
        pending.error = error ?? new Error('publish failed');
      },
    );
    return Object.assign(pending, { done });
  }

  private async awaitPending(client: Client): Promise<TickOutcome> {
    const pending = this.pending!;
    if (!pending.settled) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        pending.done,
        new Promise<void>((r) => (timer = setTimeout(r, this.publishTimeoutMs))),
      ]);
      clearTimeout(timer);
    }
    if (!pending.settled) {
      const waited = Date.now() - pending.startedAt;
      this.options.logger?.warn(
        { rows: pending.ids.length, waited_ms: waited },
        'outbox relay: broker has not acknowledged yet',
      );
      if (waited >= this.resendAfterMs) this.pending = undefined; // the next tick sends the batch again
      return 'waiting_for_broker';
    }
    this.pending = undefined;
    if (pending.error !== undefined) {
      throw pending.error instanceof Error ? pending.error : new Error('publish failed');
    }
    await this.options.afterPublish?.(pending.ids);
    await client.query(
      `UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL`,
      [pending.ids],
    );
    this.counters.published += pending.ids.length;
    this.counters.batches += 1;
    return 'published';
  }

  private async run(): Promise<void> {
    while (this.running) {
      let outcome: TickOutcome | 'error';
      try {
        outcome = await this.tick();
      } catch (error) {
        this.counters.failures += 1;
        this.options.logger?.error({ err: error }, 'outbox relay: attempt failed; retrying');
        outcome = 'error';
        // A broker error keeps the connection (and leadership); a database error drops both.
        if (!isBrokerError(error)) await this.disconnect();
      }
      if (!this.running) break;
      if (outcome === 'published') continue;
      await this.sleep(
        outcome === 'error' || outcome === 'waiting_for_broker' ? this.retryDelayMs : this.idlePollMs,
      );
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      connectionString: this.options.connectionString,
      options: `-c search_path=${this.options.schema}`,
    });
    client.on('error', (error) => {
      this.options.logger?.warn({ err: error }, 'outbox relay: database connection lost');
      if (this.client === client) {
        this.client = undefined;
        this.leader = false;
      }
    });
    client.on('notification', () => this.wake?.());
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    this.client = client;
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leader = false;
    // Whoever leads next sends unmarked rows again; this replica must not mark them later.
    this.pending = undefined;
    // Ending the session releases the advisory lock.
    await client?.end().catch(() => undefined);
  }
}

/** Errors of the publisher carry no Postgres SQLSTATE; Postgres errors do. */
function isBrokerError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return !(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) && !isConnectionError(error);
}

function isConnectionError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|Client has encountered a connection error|not queryable|ECONNRE/.test(
    message,
  );
}
