import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@modelgate/testing';
import { openDataSource } from './data-source';
import { EVENT_STORE_MIGRATIONS } from './index';

describe('event store migrations on a fresh database', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({
      url: db.url,
      schema: 'policy',
      migrations: EVENT_STORE_MIGRATIONS,
      poolSize: 2,
    });
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const tables = async (): Promise<string[]> =>
    (
      await ds.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'policy' ORDER BY 1`,
      )
    ).map((r) => r.table_name);

  it('runs every migration, in the service schema', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(['CreateEventStore1764600000000']);
    expect(await tables()).toEqual(['events', 'migrations', 'outbox', 'snapshots']);
    expect(await ds.runMigrations()).toEqual([]); // idempotent
  });

  it('enforces one sequence per stream and refuses to rewrite events', async () => {
    const insert = (id: string, seq: number) =>
      ds.query(
        `INSERT INTO events (id, stream_id, sequence, type, schema_version, data) VALUES ($1, 'acl:m', $2, 'acl.rules_replaced', 1, '{}')`,
        [id, seq],
      );
    await insert('00000000-0000-4000-8000-000000000001', 1);
    await expect(insert('00000000-0000-4000-8000-000000000002', 1)).rejects.toThrow(
      /events_stream_sequence_unique/,
    );
    await expect(ds.query(`UPDATE events SET type = 'x.y'`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`DELETE FROM events`)).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE events CASCADE`)).rejects.toThrow(/append-only/);
  });

  it('rolls every migration back', async () => {
    await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['migrations']);
    const rows = await ds.query<{ count: number }[]>(`SELECT count(*)::int AS count FROM migrations`);
    expect(rows[0]?.count).toBe(0);
  });
});
