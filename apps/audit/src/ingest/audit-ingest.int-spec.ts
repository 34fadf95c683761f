// Ingest under failure, against real Kafka and Postgres: the service killed mid-batch (before
// and after the rows commit, before the offsets do), its Postgres connection cut inside the
// transaction, and retention dropping old partitions, each followed by a verified chain with
// every record exactly once.
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataSource } from '@modelgate/event-store';
import { createKafka, SafeProducer } from '@modelgate/messaging';
import { createLogger } from '@modelgate/telemetry';
import {
  createTestDatabase,
  createTopic,
  infraEndpoints,
  uniqueTopicName,
  type TestDatabase,
} from '@modelgate/testing';
import { verifyAuditChain } from '../chain/verify-audit-chain';
import { newAuditRecord } from '../records/audit-record';
import { AUDIT_MIGRATIONS } from '../storage/audit-migrations';
import { AuditLogRepository } from '../storage/audit-log.repository';
import { AuditIngestConsumer, IngestAbortedError, type IngestOptions } from './audit-ingest.consumer';

const logger = createLogger('audit-ingest-test', 'silent');
const DAY_MS = 24 * 3600 * 1000;

function decision(i: number): string {
  return JSON.stringify({
    schema: 1,
    decision_id: randomUUID(),
    time: new Date().toISOString(),
    request_id: `req-${i}`,
    trace_id: null,
    principal: { id: `user${i % 7}@company.com`, type: 'user', roles: [], groups: [] },
    model: 'qwen3-7b-chat',
    operation: 'infer',
    source_ip: null,
    allow: i % 3 !== 0,
    reason: i % 3 !== 0 ? 'allowed' : 'no_matching_rule',
    rule_id: null,
    policy_version: 1,
    shadow: null,
    detail: null,
    latency_us: 10,
    replica: 'test',
  });
}

describe('audit ingest under failure', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repository: AuditLogRepository;
  let kafka: Kafka;
  let admin: Admin;
  let producer: SafeProducer;
  let pg: Client;
  const topic = uniqueTopicName('audit-crash');
  const groupId = `audit-crash-${randomUUID()}`;
  const N = 3_000;

  const consumer = (
    hooks: IngestOptions['hooks'],
    source = { topic, groupId },
    fetch: IngestOptions['fetch'] = { minBytes: 1024 * 1024, maxWaitMs: 250 },
  ) =>
    new AuditIngestConsumer(
      kafka,
      producer,
      repository,
      {
        groupId: source.groupId,
        fromBeginning: true,
        retryMs: 100,
        fetch,
        topics: {
          decisions: source.topic,
          policyEvents: `${topic}.unused-policy`,
          identityEvents: `${topic}.unused-identity`,
          deadLetter: { decision: `${topic}.dlq`, policy: `${topic}.dlq`, identity: `${topic}.dlq` },
        },
        ...(hooks ? { hooks } : {}),
      },
      logger,
    );
  const rows = async () =>
    (await pg.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM audit.audit_log'))
      .rows[0] as {
      n: number;
      ids: number;
    };
  const until = async (what: string, ok: () => Promise<boolean> | boolean, timeoutMs = 40_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, schema: 'audit', migrations: AUDIT_MIGRATIONS });
    await ds.runMigrations({ transaction: 'each' });
    repository = new AuditLogRepository(ds);
    await repository.ensurePartitions(2);
    kafka = createKafka({ brokers: infraEndpoints().kafkaBrokers, clientId: 'audit-crash-test' }, logger);
    admin = kafka.admin();
    await admin.connect();
    for (const t of [topic, `${topic}.unused-policy`, `${topic}.unused-identity`, `${topic}.dlq`])
      await createTopic(admin, t, 1);
    producer = new SafeProducer(kafka);
    await producer.connect();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await pg?.end();
    await ds?.destroy();
    await db?.drop();
  });

  it('loses and doubles nothing when killed after the rows commit, before they commit, and when Postgres drops the connection', async () => {
    for (let i = 0; i < N; i += 500)
      await producer.send(
        topic,
        Array.from({ length: 500 }, (_, j) => ({ key: 'm', value: decision(i + j) })),
      );

    // 1. Dies after its first batch committed to Postgres, before the offsets reach Kafka.
    let firstBatchCommitted = false;
    const first = consumer({
      afterCommit: () => {
        firstBatchCommitted = true;
        return Promise.reject(new IngestAbortedError('killed after the rows committed'));
      },
    });
    await first.start();
    await until('the first batch', () => firstBatchCommitted);
    await first.stop();
    const afterFirst = await rows();
    expect(afterFirst.n).toBeGreaterThan(0);
    expect(afterFirst.n).toBeLessThan(N + 1);

    // 2. Dies inside its first transaction, rows written but not committed.
    let secondAborted = false;
    const second = consumer({
      beforeCommit: () => {
        secondAborted = true;
        return Promise.reject(new IngestAbortedError('killed before COMMIT'));
      },
    });
    await second.start();
    await until('the second instance to die', () => secondAborted);
    await second.stop();
    expect(await rows()).toEqual(afterFirst);

    // 3. Its backend is terminated inside the transaction (what a Postgres restart does to
    //    in-flight work): the commit fails, the batch is retried on a new connection.
    let terminated = 0;
    const third = consumer({
      beforeCommit: async (pid) => {
        if (terminated > 0) return;
        terminated += 1;
        await pg.query('SELECT pg_terminate_backend($1)', [pid]);
      },
    });
    await third.start();
    await until(`${N} rows`, async () => (await rows()).n >= N);
    await until('the offsets to be committed', async () => {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets[0]?.partitions[0]?.offset === String(N);
    });
    await third.stop();

    expect(terminated).toBe(1);
    expect(await rows()).toEqual({ n: N, ids: N });
    expect(third.stats.duplicates).toBe(afterFirst.n);
    expect(await verifyAuditChain(repository)).toMatchObject({ ok: true, rows: N });
  });

  it('gathers a trickle of records into few transactions while a fetch may wait, one per record when it may not', async () => {
    const trickle = async (fetch: IngestOptions['fetch']): Promise<number> => {
      const source = { topic: uniqueTopicName('audit-trickle'), groupId: `audit-trickle-${randomUUID()}` };
      await createTopic(admin, source.topic, 1);
      const c = consumer(undefined, source, fetch);
      await c.start();
      try {
        // 20 records, one every 30 ms, as a quiet decision service sends them.
        for (let i = 0; i < 20; i++) {
          await producer.send(source.topic, [{ key: 'm', value: decision(i) }]);
          await new Promise((r) => setTimeout(r, 30));
        }
        await until('20 rows', () => c.stats.inserted === 20);
        return c.stats.batches;
      } finally {
        await c.stop();
      }
    };
    // Both wait 1 s at most; only the first also waits for bytes to gather.
    expect(await trickle({ minBytes: 1024 * 1024, maxWaitMs: 1_000 })).toBeLessThanOrEqual(3);
    expect(await trickle({ minBytes: 1, maxWaitMs: 1_000 })).toBeGreaterThanOrEqual(10);
  });

  it('stores a record whose id is in upper case, and knows it again in lower case', async () => {
    const id = randomUUID();
    const rec = (recordId: string) =>
      newAuditRecord({
        id: recordId,
        source: 'decision',
        occurredAt: new Date().toISOString(),
        principalId: null,
        principalType: null,
        model: 'm',
        operation: 'infer',
        decision: 'deny',
        reason: 'unauthenticated',
        record: { decision_id: recordId },
      });
    expect(await repository.append([rec(id.toUpperCase())])).toMatchObject({ inserted: 1, duplicates: 0 });
    expect(await repository.append([rec(id)])).toMatchObject({ inserted: 0, duplicates: 1 });
    expect((await pg.query('SELECT 1 FROM audit.audit_log WHERE id = $1', [id])).rowCount).toBe(1);
    expect(await verifyAuditChain(repository)).toMatchObject({ ok: true });
  });

  it('drops whole old partitions, records it, and still verifies', async () => {
    const past = new Date(Date.now() - 10 * DAY_MS);
    // A chain of its own: rows ingested ten days ago (a clock in the past), then today.
    const fresh = await createTestDatabase();
    const ds2 = await openDataSource({ url: fresh.url, schema: 'audit', migrations: AUDIT_MIGRATIONS });
    try {
      await ds2.runMigrations({ transaction: 'each' });
      const then = new AuditLogRepository(ds2, () => past);
      const now = new AuditLogRepository(ds2);
      await then.ensurePartitions(1);
      await now.ensurePartitions(1);
      const rec = (i: number) =>
        newAuditRecord({
          id: randomUUID(),
          source: 'decision' as const,
          occurredAt: past.toISOString(),
          principalId: `p${i}`,
          principalType: 'user',
          model: 'm',
          operation: 'infer',
          decision: 'allow' as const,
          reason: 'allowed',
          record: { i },
        });
      await then.append([rec(1), rec(2), rec(3)]);
      await now.append([rec(4), rec(5)]);
      const { dropped } = await now.applyRetention(new Date(Date.now() - 5 * DAY_MS));
      expect(dropped.filter((d) => d.rows > 0)).toEqual([expect.objectContaining({ rows: 3, lastSeq: 3 })]);
      const result = await verifyAuditChain(now);
      expect(result).toMatchObject({ ok: true, rows: 3, head: { seq: 6 } });
      const events = [];
      for await (const e of now.stream({ operation: 'audit.retention_applied' })) events.push(e);
      expect(events).toHaveLength(1);
      expect(events[0]?.source).toBe('audit');
      // A second run finds nothing more to drop.
      expect(await now.applyRetention(new Date(Date.now() - 5 * DAY_MS))).toEqual({
        dropped: [],
        forgottenIds: 0,
      });
    } finally {
      await ds2.destroy();
      await fresh.drop();
    }
  });
});
