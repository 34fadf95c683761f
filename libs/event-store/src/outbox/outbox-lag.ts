import type { SqlExecutor } from '../postgres-event-store';

export interface OutboxLag {
  /** Rows committed but not yet acknowledged by the broker. */
  readonly unpublished: number;
  /** Age of the oldest of them, seconds; 0 when none. */
  readonly oldestSeconds: number;
}

/** The relay's backlog: the lag metric (`outbox_unpublished_rows`, `outbox_oldest_unpublished_seconds`). */
export async function outboxLag(db: SqlExecutor): Promise<OutboxLag> {
  const [row] = await db.query<{ unpublished: number; oldest_seconds: number }[]>(
    `SELECT count(*)::int AS unpublished,
            coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest_seconds
     FROM outbox WHERE published_at IS NULL`,
  );
  return { unpublished: row?.unpublished ?? 0, oldestSeconds: row?.oldest_seconds ?? 0 };
}
