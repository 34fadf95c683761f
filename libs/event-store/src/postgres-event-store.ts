import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { ConcurrencyError } from './concurrency.error';
import type {
  EventMetadata,
  ExpectedVersion,
  NewEvent,
  OutboxMessage,
  Snapshot,
  StoredEvent,
} from './event-store.types';

/** The channel an append notifies after writing outbox rows, so that the relay wakes at once. */
export const OUTBOX_CHANNEL = 'event_store_outbox';

/** What runs inside the append's transaction (a read model, say): plain SQL, nothing else. */
export interface SqlExecutor {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

export interface AppendOptions {
  /** The messages to relay, derived from the stored events (their sequence and time are known then). */
  readonly outbox?: (events: readonly StoredEvent[]) => readonly OutboxMessage[];
  /** Runs in the same transaction after the events are written; a throw rolls everything back. */
  readonly within?: (tx: SqlExecutor, events: readonly StoredEvent[]) => Promise<void>;
}

export interface AppendResult {
  readonly events: readonly StoredEvent[];
  /** The stream's version after the append. */
  readonly version: number;
}

interface EventRow {
  global_position: string;
  id: string;
  stream_id: string;
  sequence: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  occurred_at: Date;
}

const EVENT_COLUMNS = `global_position::text AS global_position, id, stream_id, sequence, type, schema_version, data, metadata, occurred_at`;

/**
 * Event store over the `events`, `outbox` and `snapshots` tables of
 * CreateEventStore1764600000000. Appends are all-or-nothing with optimistic concurrency
 * per stream: the expected version is checked, and the UNIQUE (stream_id, sequence) key
 * settles races between writers that read the same version (the loser gets a
 * {@link ConcurrencyError}, never a silent overwrite).
 *
 * Why one stream's outbox rows always commit in sequence order (the relay relies on it):
 * appending sequence n+1 needs expected version n, so n was committed when the writer
 * read it, before row n+1 (and its outbox id) existed.
 */
export class PostgresEventStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async append(
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    try {
      return await this.dataSource.transaction('READ COMMITTED', (tx) =>
        this.appendIn(tx, streamId, expectedVersion, events, options),
      );
    } catch (error) {
      if (isStreamSequenceConflict(error)) {
        throw new ConcurrencyError(streamId, expectedVersion === 'any' ? -1 : expectedVersion);
      }
      throw error;
    }
  }

  /**
   * Appends inside a transaction the caller already holds, for a service whose own rows
   * (an API key, say) must commit with the event and its outbox rows. The caller owns the
   * transaction: a {@link ConcurrencyError} or any other throw must roll it back. Writers
   * that append with `'any'` serialise per stream themselves (e.g. an advisory lock), so
   * that a stream's outbox rows still commit in sequence order.
   */
  async appendInTransaction(
    tx: EntityManager,
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    try {
      return await this.appendIn(tx, streamId, expectedVersion, events, options);
    } catch (error) {
      if (isStreamSequenceConflict(error)) {
        throw new ConcurrencyError(streamId, expectedVersion === 'any' ? -1 : expectedVersion);
      }
      throw error;
    }
  }

  private async appendIn(
    tx: EntityManager,
    streamId: string,
    expectedVersion: ExpectedVersion,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const [{ version: current } = { version: 0 }] = await tx.query<{ version: number }[]>(
      `SELECT coalesce(max(sequence), 0)::int AS version FROM events WHERE stream_id = $1`,
      [streamId],
    );
    if (expectedVersion !== 'any' && current !== expectedVersion) {
      throw new ConcurrencyError(streamId, expectedVersion, current);
    }

    const occurredAt = this.clock();
    const params: unknown[] = [];
    const values = events.map((event, i) => {
      params.push(
        event.id ?? randomUUID(),
        streamId,
        current + i + 1,
        event.type,
        event.schemaVersion,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata ?? {}),
        occurredAt,
      );
      const p = params.length - 8;
      return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb, $${p + 7}::jsonb, $${p + 8})`;
    });
    const rows = await tx.query<EventRow[]>(
      `INSERT INTO events (id, stream_id, sequence, type, schema_version, data, metadata, occurred_at)
       VALUES ${values.join(', ')} RETURNING ${EVENT_COLUMNS}`,
      params,
    );
    const stored = rows.map(toStoredEvent).sort((a, b) => a.sequence - b.sequence);

    const messages = options.outbox?.(stored) ?? [];
    if (messages.length > 0) {
      const bySequence = new Map(stored.map((e) => [e.id, e]));
      const outboxParams: unknown[] = [];
      const outboxValues = messages.map((m) => {
        const event = bySequence.get(m.eventId);
        if (!event) throw new Error(`outbox message for event ${m.eventId}, which this append does not hold`);
        outboxParams.push(
          m.eventId,
          streamId,
          event.sequence,
          m.topic,
          m.key,
          m.payload === null ? null : JSON.stringify(m.payload),
          JSON.stringify(m.headers ?? {}),
        );
        const p = outboxParams.length - 7;
        return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb, $${p + 7}::jsonb)`;
      });
      await tx.query(
        `INSERT INTO outbox (event_id, stream_id, sequence, topic, message_key, payload, headers)
         VALUES ${outboxValues.join(', ')}`,
        outboxParams,
      );
      // Delivered at commit only, so the relay never wakes for rows it cannot see yet.
      await tx.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
    }
    await options.within?.(tx, stored);
    return { events: stored, version: current + events.length };
  }

  /** The stream's current version: its last sequence, 0 when it has no events. */
  async streamVersion(streamId: string): Promise<number> {
    const [row] = await this.dataSource.query<{ version: number }[]>(
      `SELECT coalesce(max(sequence), 0)::int AS version FROM events WHERE stream_id = $1`,
      [streamId],
    );
    return row?.version ?? 0;
  }

  /** The stream's events from `fromSequence` (inclusive) up to `toSequence` (inclusive), in order. */
  async readStream(
    streamId: string,
    range: { fromSequence?: number; toSequence?: number } = {},
  ): Promise<StoredEvent[]> {
    const rows = await this.dataSource.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE stream_id = $1 AND sequence >= $2 AND ($3::int IS NULL OR sequence <= $3)
       ORDER BY sequence`,
      [streamId, range.fromSequence ?? 1, range.toSequence ?? null],
    );
    return rows.map(toStoredEvent);
  }

  /**
   * Events of every stream after `afterPosition`, in global order: for rebuilding read
   * models. `db` lets a rebuild read inside its own transaction.
   */
  async readAll(
    afterPosition = '0',
    limit = 1_000,
    db: SqlExecutor = this.dataSource,
  ): Promise<StoredEvent[]> {
    const rows = await db.query<EventRow[]>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE events.global_position > $1::bigint ORDER BY events.global_position LIMIT $2`,
      [afterPosition, limit],
    );
    return rows.map(toStoredEvent);
  }

  async loadSnapshot<S>(streamId: string): Promise<Snapshot<S> | undefined> {
    const [row] = await this.dataSource.query<
      { stream_id: string; sequence: number; state: S; taken_at: Date }[]
    >(`SELECT stream_id, sequence, state, taken_at FROM snapshots WHERE stream_id = $1`, [streamId]);
    return (
      row && { streamId: row.stream_id, sequence: row.sequence, state: row.state, takenAt: row.taken_at }
    );
  }

  /** Keeps the newest snapshot per stream: an older one never replaces a newer one. */
  async saveSnapshot<S>(streamId: string, sequence: number, state: S): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO snapshots (stream_id, sequence, state) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (stream_id) DO UPDATE SET sequence = EXCLUDED.sequence, state = EXCLUDED.state, taken_at = now()
       WHERE snapshots.sequence < EXCLUDED.sequence`,
      [streamId, sequence, JSON.stringify(state)],
    );
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    globalPosition: row.global_position,
    id: row.id,
    streamId: row.stream_id,
    sequence: row.sequence,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    occurredAt: row.occurred_at,
  };
}

function isStreamSequenceConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    code?: unknown;
    constraint?: unknown;
    driverError?: { code?: unknown; constraint?: unknown };
  };
  const code = e.driverError?.code ?? e.code;
  const constraint = e.driverError?.constraint ?? e.constraint;
  return code === '23505' && constraint === 'events_stream_sequence_unique';
}
