// Retention against real Postgres: dropping old day partitions forgets the dedupe keys
// (`record_ids`) of their rows and of nothing else; the table's statement trigger refuses
// every other DELETE, whoever runs it; the chain still verifies.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDataSource } from '@modelgate/event-store';
import { createTestDatabase, type TestDatabase } from '@modelgate/testing';
import { verifyAuditChain } from '../chain/verify-audit-chain';
import { newAuditRecord, type NewAuditRecord } from '../records/audit-record';
import { AUDIT_MIGRATIONS } from './audit-migrations';
import { AuditLogRepository } from './audit-log.repository';

const DAY_MS = 24 * 3600 * 1000;

const rec = (id = randomUUID()): NewAuditRecord =>
  newAuditRecord({
    id,
    source: 'decision',
    occurredAt: new Date().toISOString(),
    principalId: 'alice@company.com',
    principalType: 'user',
    model: 'qwen3-7b-chat',
    operation: 'infer',
    decision: 'allow',
    reason: 'allowed',
    record: { id },
  });

describe('retention of the trail and of its dedupe keys', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let pg: Client;
  const past = new Date(Date.now() - 10 * DAY_MS);
  let then: AuditLogRepository;
  let now: AuditLogRepository;

  const ids = async () =>
    ((await pg.query('SELECT id FROM audit.record_ids ORDER BY id')).rows as { id: string }[]).map(
      (r) => r.id,
    );
  /** Runs `sql` as the schema owner (a superuser here: triggers still apply) and says what happened. */
  const attempt = async (sql: string, params: unknown[] = [], asWriter = false) => {
    await pg.query('BEGIN');
    try {
      if (asWriter) await pg.query('SET LOCAL ROLE modelgate_audit_writer');
      const r = await pg.query(sql, params);
      await pg.query('COMMIT');
      return `deleted ${r.rowCount}`;
    } catch (error) {
      await pg.query('ROLLBACK');
      return (error as Error).message;
    }
  };

  beforeEach(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, schema: 'audit', migrations: AUDIT_MIGRATIONS });
    await ds.runMigrations({ transaction: 'each' });
    then = new AuditLogRepository(ds, () => past);
    now = new AuditLogRepository(ds);
    await then.ensurePartitions(1);
    await now.ensurePartitions(1);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterEach(async () => {
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('forgets the ids of dropped rows only, keeps deduplicating the rest, and still verifies', async () => {
    const old = [rec(), rec(), rec()];
    const kept = [rec(), rec()];
    await then.append(old);
    await now.append(kept);
    expect(await ids()).toHaveLength(5);

    const result = await now.applyRetention(new Date(Date.now() - 5 * DAY_MS));
    expect(result.dropped.filter((d) => d.rows > 0)).toEqual([
      expect.objectContaining({ rows: 3, lastSeq: 3 }),
    ]);
    expect(result.forgottenIds).toBe(3);
    const left = await ids();
    // The kept rows and the chain's own audit.retention_applied row.
    expect(left).toHaveLength(3);
    for (const r of kept) expect(left).toContain(r.id);
    for (const r of old) expect(left).not.toContain(r.id);

    // Still deduplicated: a redelivery of a kept record makes no second row.
    expect(await now.append([kept[0]!])).toMatchObject({ inserted: 0, duplicates: 1 });
    // A forgotten id is new again: why Kafka must keep records for less time than the trail.
    expect(await now.append([old[0]!])).toMatchObject({ inserted: 1, duplicates: 0 });
    expect(await verifyAuditChain(now)).toMatchObject({ ok: true, head: { seq: 7 } });
    // Nothing more to drop or forget.
    expect(await now.applyRetention(new Date(Date.now() - 5 * DAY_MS))).toEqual({
      dropped: [],
      forgottenIds: 0,
    });
  });

  it('refuses every other DELETE on record_ids, to the writer role and, by trigger, to the owner', async () => {
    const old = [rec(), rec()];
    const kept = [rec()];
    await then.append(old);
    await now.append(kept);

    // Before retention the old rows are still in the trail: their ids stay.
    expect(await attempt('DELETE FROM audit.record_ids WHERE id = $1', [old[0]!.id])).toMatch(
      /append-only: record_ids may only lose the ids of rows retention dropped/,
    );
    expect(await attempt('DELETE FROM audit.record_ids')).toMatch(/append-only/);
    expect(await attempt('DELETE FROM audit.record_ids', [], true)).toMatch(/permission denied/);
    expect(await attempt(`UPDATE audit.record_ids SET ingested_at = now() - interval '1 year'`)).toMatch(
      /append-only/,
    );
    expect(await attempt('TRUNCATE audit.record_ids')).toMatch(/append-only/);
    expect(await ids()).toHaveLength(3);

    // Leftover ids of rows already dropped (a crash between the DROP and the forgetting), and
    // one statement that also reaches for a kept id: refused whole, nothing deleted.
    const leftovers = Array.from({ length: 5 }, () => randomUUID());
    for (const id of leftovers)
      await pg.query(
        `INSERT INTO audit.record_ids (id, ingested_at) VALUES ($1, now() - interval '20 days')`,
        [id],
      );
    expect(
      await attempt('DELETE FROM audit.record_ids WHERE id = ANY($1::uuid[])', [[leftovers[0], kept[0]!.id]]),
    ).toMatch(/append-only/);
    expect(await ids()).toHaveLength(8);
    // The owner may delete what retention would: ids older than every row kept...
    expect(await attempt('DELETE FROM audit.record_ids WHERE id = $1', [leftovers[0]])).toBe('deleted 1');
    // ...and retention forgets the rest in chunks (4 left, 2 per statement).
    expect(await now.forgetDroppedRecordIds(2)).toBe(4);
    expect(await ids()).toHaveLength(3);
    expect(await verifyAuditChain(now)).toMatchObject({ ok: true, rows: 3 });
  });

  it('keeps every id while the trail is empty: there is nothing to compare with', async () => {
    const id = randomUUID();
    await pg.query(`INSERT INTO audit.record_ids (id, ingested_at) VALUES ($1, now() - interval '20 days')`, [
      id,
    ]);
    expect(await now.forgetDroppedRecordIds()).toBe(0);
    expect(await attempt('DELETE FROM audit.record_ids WHERE id = $1', [id])).toMatch(/the trail is empty/);
    expect(await ids()).toEqual([id]);
  });
});
