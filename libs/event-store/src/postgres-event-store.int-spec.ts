import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@modelgate/testing';
import { ConcurrencyError } from './concurrency.error';
import { openDataSource } from './data-source';
import { EVENT_STORE_MIGRATIONS } from './index';
import { PostgresEventStore } from './postgres-event-store';

describe('PostgresEventStore', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, schema: 'es', migrations: EVENT_STORE_MIGRATIONS, poolSize: 8 });
    await ds.runMigrations({ transaction: 'each' });
    store = new PostgresEventStore(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const event = (n: number) => ({ type: 'test.happened', schemaVersion: 1, data: { n } });

  it('appends with sequences after the expected version, events and outbox in one transaction', async () => {
    const first = await store.append('t:a', 0, [event(1), event(2)], {
      outbox: (events) => events.map((e) => ({ eventId: e.id, topic: 'topic', key: 'a', payload: e.data })),
    });
    expect(first.version).toBe(2);
    expect(first.events.map((e) => e.sequence)).toEqual([1, 2]);
    const next = await store.append('t:a', 2, [
      { ...event(3), metadata: { actor: { id: 'u', type: 'user' } } },
    ]);
    expect(next.version).toBe(3);
    const read = await store.readStream('t:a');
    expect(read.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(read[2]?.metadata.actor).toEqual({ id: 'u', type: 'user' });
    expect(await store.readStream('t:a', { fromSequence: 2, toSequence: 2 })).toHaveLength(1);
    const outbox = await ds.query<unknown[]>(`SELECT stream_id, sequence, topic FROM outbox ORDER BY id`);
    expect(outbox).toEqual([
      { stream_id: 't:a', sequence: 1, topic: 'topic' },
      { stream_id: 't:a', sequence: 2, topic: 'topic' },
    ]);
  });

  it('refuses a stale expected version with the version found', async () => {
    const attempt = store.append('t:a', 1, [event(9)]);
    await expect(attempt).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(attempt).rejects.toMatchObject({ expectedVersion: 1, actualVersion: 3 });
  });

  it('lets exactly one of many racing writers with the same expected version win', async () => {
    await store.append('t:race', 0, [event(0)]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.append('t:race', 1, [event(i)])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(ConcurrencyError);
    }
    expect(await store.streamVersion('t:race')).toBe(2);
  });

  it('rolls back the events when the in-transaction work fails', async () => {
    await expect(
      store.append('t:rollback', 0, [event(1)], {
        outbox: (events) => [{ eventId: events[0]!.id, topic: 't', key: 'k', payload: null }],
        within: () => Promise.reject(new Error('read model broke')),
      }),
    ).rejects.toThrow('read model broke');
    expect(await store.streamVersion('t:rollback')).toBe(0);
    expect(await ds.query(`SELECT 1 FROM outbox WHERE stream_id = 't:rollback'`)).toEqual([]);
  });

  it("appends inside the caller's transaction: committed with the caller's rows, or not at all", async () => {
    await ds.query(`CREATE TABLE caller_rows (id TEXT PRIMARY KEY)`);
    const outbox = (events: readonly { id: string }[]) =>
      events.map((e) => ({ eventId: e.id, topic: 't', key: 'k', payload: {} }));
    await ds.transaction(async (tx) => {
      await tx.query(`INSERT INTO caller_rows (id) VALUES ('kept')`);
      const result = await store.appendInTransaction(tx, 't:in-tx', 0, [event(1)], { outbox });
      expect(result.version).toBe(1);
    });
    await expect(
      ds.transaction(async (tx) => {
        await tx.query(`INSERT INTO caller_rows (id) VALUES ('dropped')`);
        await store.appendInTransaction(tx, 't:in-tx', 'any', [event(2)], { outbox });
        throw new Error('caller changed its mind');
      }),
    ).rejects.toThrow('caller changed its mind');
    expect(await ds.query(`SELECT id FROM caller_rows ORDER BY id`)).toEqual([{ id: 'kept' }]);
    expect(await store.streamVersion('t:in-tx')).toBe(1);
    expect(await ds.query(`SELECT sequence FROM outbox WHERE stream_id = 't:in-tx'`)).toEqual([
      { sequence: 1 },
    ]);
    await expect(
      ds.transaction((tx) => store.appendInTransaction(tx, 't:in-tx', 0, [event(3)])),
    ).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('reads all streams in global order', async () => {
    const all = await store.readAll();
    const positions = all.map((e) => BigInt(e.globalPosition));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    const after = await store.readAll(all[1]!.globalPosition, 2);
    expect(after.map((e) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
  });

  it('keeps the newest snapshot per stream', async () => {
    expect(await store.loadSnapshot('t:a')).toBeUndefined();
    await store.saveSnapshot('t:a', 3, { total: 6 });
    await store.saveSnapshot('t:a', 2, { total: 3 });
    expect(await store.loadSnapshot('t:a')).toMatchObject({ sequence: 3, state: { total: 6 } });
  });
});
