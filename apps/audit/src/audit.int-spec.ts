// The audit service against real Kafka, Postgres and the dev OIDC provider: ingest of the
// three topics (idempotent, dead-lettering what it cannot parse, the gateway's refusals
// included), append-only storage, queries with role-based visibility and keyset pagination,
// streamed CSV/NDJSON export of hostile values, and verification that finds tampering.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Admin, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@modelgate/config';
import type { AuditEventV1 } from '@modelgate/contracts';
import { createEnvelope, createKafka, encodeEnvelope, SafeProducer } from '@modelgate/messaging';
import { createServiceApp } from '@modelgate/service-kit';
import { createLogger } from '@modelgate/telemetry';
import {
  createTestDatabase,
  createTopic,
  DEMO_USERS,
  DEV_IDP_CLIENTS,
  fetchOidcTokens,
  infraEndpoints,
  readRecords,
  uniqueTopicName,
  type TestDatabase,
} from '@modelgate/testing';
import { auditModules } from './audit.modules';
import { AuditMaintenance } from './chain/audit-maintenance';
import { auditConfigSchema } from './config';
import { parseCsv } from './export/csv-reader';
import { decisionRecordFields } from './testing/decision-record';
import { AuditIngestConsumer } from './ingest/audit-ingest.consumer';

const VERIFY_CLI = resolve(__dirname, '../dist/verify.cli.js');
const run = promisify(execFile);
type User = 'admin' | 'alice' | 'bob' | 'carol';
const HOSTILE = [
  "=cmd|' /C calc'!A0",
  '+1+1',
  '-2',
  '@SUM(A1:A9)',
  '\tTAB',
  '\rCR',
  'quote " and, comma',
  'line\r\nbreak\nLF',
  'pipe | equals = backslash \\ end',
  'x'.repeat(20_000),
].join(' ');

async function token(user: User): Promise<string> {
  const t = await fetchOidcTokens({
    clientId: DEV_IDP_CLIENTS.tests.clientId,
    clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
    username: user,
    password: DEMO_USERS[user].password,
  });
  return t.accessToken;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('audit service', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let kafka: Kafka;
  let admin: Admin;
  let producer: SafeProducer;
  let pg: Client;
  const topics = {
    DECISIONS_TOPIC: uniqueTopicName('audit-decisions'),
    POLICY_EVENTS_TOPIC: uniqueTopicName('audit-policy'),
    IDENTITY_EVENTS_TOPIC: uniqueTopicName('audit-identity'),
    DECISIONS_DLQ_TOPIC: uniqueTopicName('audit-decisions-dlq'),
    POLICY_DLQ_TOPIC: uniqueTopicName('audit-policy-dlq'),
    IDENTITY_DLQ_TOPIC: uniqueTopicName('audit-identity-dlq'),
  };
  const auth: Record<User, Record<string, string>> = { admin: {}, alice: {}, bob: {}, carol: {} };
  const get = (url: string, who?: User) => app.inject({ method: 'GET', url, headers: who ? auth[who] : {} });
  const count = async () =>
    Number(((await pg.query('SELECT count(*) AS n FROM audit.audit_log')).rows[0] as { n: string }).n);
  const send = (topic: string, values: (string | Buffer)[], key = 'k') =>
    producer.send(
      topic,
      values.map((value) => ({ key, value })),
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    kafka = createKafka({ brokers: infraEndpoints().kafkaBrokers, clientId: 'audit-test' });
    admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topics.DECISIONS_TOPIC, 3);
    for (const t of Object.values(topics).slice(1)) await createTopic(admin, t, 1);
    producer = new SafeProducer(kafka);
    await producer.connect();
    const [a, b, c, d] = await Promise.all((['admin', 'alice', 'bob', 'carol'] as const).map(token));
    auth.admin = { authorization: `Bearer ${a}` };
    auth.alice = { authorization: `Bearer ${b}` };
    auth.bob = { authorization: `Bearer ${c}` };
    auth.carol = { authorization: `Bearer ${d}` };
    const config = loadConfig(auditConfigSchema, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infraEndpoints().kafkaBrokers.join(','),
      OIDC_ISSUERS: infraEndpoints().oidcIssuer,
      AUDIT_CONSUMER_GROUP: `audit-test-${randomUUID()}`,
      AUDIT_DIGEST_INTERVAL_MS: '3600000',
      ...topics,
    });
    app = await createServiceApp({
      name: 'audit',
      config,
      imports: auditModules(config),
      logger: createLogger('audit', 'silent'),
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await app?.close();
    await pg?.end();
    await db?.drop();
  });

  describe('ingest', () => {
    it('stores decisions, refusals without a principal and admin changes, once each', async () => {
      const records = [
        decisionRecordFields(),
        decisionRecordFields({
          principal: { id: 'bob@company.com', type: 'user', roles: ['partner'], groups: [] },
          allow: false,
          reason: 'no_matching_rule',
        }),
        decisionRecordFields({
          principal: null,
          allow: false,
          reason: 'unauthenticated',
          model: 'qwen3-medical',
        }),
        decisionRecordFields({
          principal: { id: 'alice@company.com', type: 'user', roles: [], groups: [] },
          allow: false,
          reason: 'invalid_request',
          detail: 'model',
        }),
      ];
      const policy = createEnvelope({
        type: 'acl.rules_replaced',
        schema: 1,
        stream: 'acl:qwen3-7b-chat',
        sequence: 1,
        actor: { id: 'admin@company.com', type: 'user', ip: '127.0.0.1' },
        data: { mode: 'enforce', document: { model: 'qwen3-7b-chat', mode: 'enforce', rules: [] } },
      });
      const identity = createEnvelope({
        type: 'identity.key_revoked',
        schema: 1,
        stream: 'principal:bob@company.com',
        sequence: 1,
        actor: { id: 'admin@company.com', type: 'user' },
        data: { key_id: 'k1', owner_id: 'bob@company.com', owner_type: 'user' },
      });
      await send(
        topics.DECISIONS_TOPIC,
        records.map((r) => JSON.stringify(r)),
      );
      await producer.send(topics.POLICY_EVENTS_TOPIC, [encodeEnvelope(policy, 'qwen3-7b-chat')]);
      await producer.send(topics.IDENTITY_EVENTS_TOPIC, [encodeEnvelope(identity, 'bob@company.com')]);
      await waitFor('6 rows', async () => ((await count()) >= 6 ? true : undefined));
      // A redelivery (the decision service replaying its spool) makes no second row.
      await send(topics.DECISIONS_TOPIC, [JSON.stringify(records[0]), JSON.stringify(records[2])]);
      await producer.send(topics.POLICY_EVENTS_TOPIC, [encodeEnvelope(policy, 'qwen3-7b-chat')]);
      const marker = decisionRecordFields();
      await send(topics.DECISIONS_TOPIC, [JSON.stringify(marker)]);
      await waitFor('the marker', async () =>
        (await pg.query('SELECT 1 FROM audit.audit_log WHERE id = $1', [marker['decision_id']])).rowCount
          ? true
          : undefined,
      );
      await waitFor('the redelivered policy event to be consumed', async () => {
        const offsets = await admin.fetchOffsets({
          groupId: String(app.get(AuditIngestConsumer)['options'].groupId),
          topics: [topics.POLICY_EVENTS_TOPIC],
        });
        return offsets[0]?.partitions[0]?.offset === '2' ? true : undefined;
      });
      expect(await count()).toBe(7);
      const rows = (
        await pg.query(
          'SELECT source, principal_id, decision, reason, operation, model FROM audit.audit_log ORDER BY seq',
        )
      ).rows;
      expect(rows).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            source: 'decision',
            principal_id: null,
            decision: 'deny',
            reason: 'unauthenticated',
          }),
          expect.objectContaining({ source: 'decision', reason: 'invalid_request' }),
          expect.objectContaining({
            source: 'policy',
            operation: 'acl.rules_replaced',
            model: 'qwen3-7b-chat',
            decision: null,
          }),
          expect.objectContaining({
            source: 'identity',
            operation: 'identity.key_revoked',
            principal_id: 'admin@company.com',
          }),
        ]),
      );
    });

    it('dead-letters what it cannot parse, with the reason, and goes on', async () => {
      await send(topics.DECISIONS_TOPIC, ['not json', JSON.stringify({ decision_id: 'nope' })], 'bad');
      await send(topics.POLICY_EVENTS_TOPIC, [JSON.stringify({ id: 1 })], 'bad');
      const dlq = await readRecords(kafka, topics.DECISIONS_DLQ_TOPIC, 2, 30_000);
      expect(dlq.map((r) => r.message.value?.toString()).sort()).toEqual(
        ['not json', '{"decision_id":"nope"}'].sort(),
      );
      const reasons = dlq.map((r) => r.message.headers?.['dlq-reason']?.toString());
      expect(reasons.some((r) => r?.startsWith('not JSON'))).toBe(true);
      expect(reasons.some((r) => r?.includes('decision_id'))).toBe(true);
      expect(dlq[0]?.message.headers?.['dlq-source-topic']?.toString()).toBe(topics.DECISIONS_TOPIC);
      const policyDlq = await readRecords(kafka, topics.POLICY_DLQ_TOPIC, 1, 30_000);
      expect(policyDlq[0]?.message.headers?.['dlq-reason']?.toString()).toMatch(/invalid event envelope/);
      expect(await count()).toBe(7);
    });
  });

  describe('append-only storage', () => {
    it('refuses UPDATE, DELETE and TRUNCATE to the writer role and, by trigger, to the owner', async () => {
      const attempt = async (sql: string, asWriter: boolean) => {
        await pg.query('BEGIN');
        try {
          if (asWriter) await pg.query('SET LOCAL ROLE modelgate_audit_writer');
          await pg.query(sql);
          return 'allowed';
        } catch (error) {
          return (error as Error).message;
        } finally {
          await pg.query('ROLLBACK');
        }
      };
      for (const sql of [
        "UPDATE audit.audit_log SET reason = 'x'",
        'DELETE FROM audit.audit_log',
        'TRUNCATE audit.audit_log',
        'DELETE FROM audit.record_ids',
      ]) {
        expect(await attempt(sql, true)).toMatch(/permission denied/);
        expect(await attempt(sql, false)).toMatch(/append-only/);
      }
      expect(
        await attempt(
          `INSERT INTO audit.record_ids (id, ingested_at) VALUES ('${randomUUID()}', now())`,
          true,
        ),
      ).toBe('allowed');
    });

    it('partitions by day, created ahead', async () => {
      const parts = (
        await pg.query(
          `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit.audit_log'::regclass`,
        )
      ).rows;
      expect(parts.length).toBeGreaterThanOrEqual(8);
    });
  });

  describe('queries', () => {
    it('needs a token, shows auditors and ACL admins everything and others only their own', async () => {
      expect((await get('/v1/audit/events')).statusCode).toBe(401);
      expect((await get('/v1/audit/events', 'carol')).json<{ items: unknown[] }>().items).toHaveLength(7);
      expect((await get('/v1/audit/events', 'admin')).json<{ items: unknown[] }>().items).toHaveLength(7);
      const alice = (await get('/v1/audit/events', 'alice')).json<{ items: AuditEventV1[] }>().items;
      expect(alice.length).toBeGreaterThan(0);
      expect(alice.every((e) => e.principal_id === 'alice@company.com')).toBe(true);
      const bob = (await get('/v1/audit/events', 'bob')).json<{ items: AuditEventV1[] }>().items;
      expect(bob.map((e) => e.reason)).toEqual(['no_matching_rule']);
      const other = await get('/v1/audit/events?principal=bob@company.com', 'alice');
      expect(other.statusCode).toBe(403);
      expect(other.json()).toMatchObject({ error: { type: 'permission_error', code: 'forbidden' } });
      expect((await get('/v1/audit/verify', 'alice')).statusCode).toBe(403);
    });

    it('filters and pages with a stable keyset cursor', async () => {
      const denied = (await get('/v1/audit/events?decision=deny', 'carol')).json<{ items: AuditEventV1[] }>();
      expect(denied.items.map((e) => e.reason).sort()).toEqual([
        'invalid_request',
        'no_matching_rule',
        'unauthenticated',
      ]);
      expect(
        (await get('/v1/audit/events?model=qwen3-medical', 'carol')).json<{ items: AuditEventV1[] }>().items,
      ).toHaveLength(1);
      expect(
        (await get('/v1/audit/events?operation=acl.rules_replaced', 'carol')).json<{
          items: AuditEventV1[];
        }>().items,
      ).toHaveLength(1);
      const future = new Date(Date.now() + 3600_000).toISOString();
      expect(
        (await get(`/v1/audit/events?from=${encodeURIComponent(future)}`, 'carol')).json<{
          items: unknown[];
        }>().items,
      ).toHaveLength(0);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/v1/audit/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`, 'carol');
        expect(res.statusCode).toBe(200);
        const page = res.json<{ items: AuditEventV1[]; next_cursor: string | null }>();
        seen.push(...page.items.map((e) => e.seq));
        cursor = page.next_cursor;
        // Rows arriving meanwhile never shift a page: they are newer than every cursor.
        if (cursor)
          await send(topics.DECISIONS_TOPIC, [
            JSON.stringify(
              decisionRecordFields({
                principal: { id: 'dave@company.com', type: 'user', roles: [], groups: [] },
              }),
            ),
          ]);
      } while (cursor);
      expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect((await get('/v1/audit/events?limit=5000', 'carol')).statusCode).toBe(400);
      expect((await get('/v1/audit/events?cursor=abc', 'carol')).json()).toMatchObject({
        error: { code: 'invalid_cursor' },
      });
    });
  });

  describe('export', () => {
    it('streams CSV and NDJSON with hostile values neutralised and intact', async () => {
      const hostile = decisionRecordFields({
        principal: { id: `=HYPERLINK("http://evil")|${HOSTILE}`, type: 'user', roles: ['-x'], groups: [] },
        model: '@model|with=bad\\chars\r\n',
        operation: '+infer',
        reason: '-reason',
      });
      const raw = JSON.stringify(hostile).replace('"+infer"', '"+inf\\u0001er"');
      const bytes = Buffer.concat([
        Buffer.from(raw.slice(0, raw.indexOf('+inf') + 4)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(raw.slice(raw.indexOf('+inf') + 4)),
      ]);
      await send(topics.DECISIONS_TOPIC, [bytes]);
      const row = await waitFor('the hostile row', async () => {
        const r = await pg.query('SELECT seq FROM audit.audit_log WHERE id = $1', [hostile['decision_id']]);
        return r.rows[0] as { seq: string } | undefined;
      });

      const csv = await get(
        `/v1/audit/export.csv?model=${encodeURIComponent('@model|with=bad\\chars\r\n')}`,
        'carol',
      );
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const table = parseCsv(csv.body);
      expect(table[0]).toContain('principal_id');
      expect(table).toHaveLength(2);
      const cells = Object.fromEntries(table[0]!.map((h, i) => [h, table[1]![i]!]));
      expect(cells['seq']).toBe(row.seq);
      expect(cells['principal_id']).toBe(`'=HYPERLINK("http://evil")|${HOSTILE}`.slice(0, 513));
      expect(cells['model']).toBe(`'@model|with=bad\\chars\r\n`);
      expect(cells['operation']).toBe("'+inf\uFFFD(\u0001er");
      expect(cells['reason']).toBe("'-reason");
      for (const cell of table[1]!) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      expect(JSON.parse(cells['record']!)).toMatchObject({
        principal: { id: `=HYPERLINK("http://evil")|${HOSTILE}` },
      });

      const nd = await get(
        `/v1/audit/export.ndjson?principal=${encodeURIComponent(hostile['principal'] ? `=HYPERLINK("http://evil")|${HOSTILE}`.slice(0, 512) : '')}`,
        'carol',
      );
      expect(nd.statusCode).toBe(200);
      const lines = nd.body.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      const event = JSON.parse(lines[0]!) as AuditEventV1;
      expect(event.model).toBe('@model|with=bad\\chars\r\n');
      expect(lines[0]!.includes('\r') || lines[0]!.includes(String.fromCharCode(1))).toBe(false);

      const all = await get('/v1/audit/export.csv', 'carol');
      expect(parseCsv(all.body).length - 1).toBe(await count());
      const alice = await get('/v1/audit/export.ndjson', 'alice');
      expect(
        alice.body
          .split('\n')
          .filter(Boolean)
          .every((l) => (JSON.parse(l) as AuditEventV1).principal_id === 'alice@company.com'),
      ).toBe(true);
    });
  });

  describe('verify', () => {
    const verify = async () =>
      (await get('/v1/audit/verify', 'carol')).json<{
        ok: boolean;
        problem?: { kind: string; seq: number };
      }>();
    const tamper = async (sql: string, params: unknown[] = []) => {
      await pg.query('BEGIN');
      await pg.query('SET LOCAL session_replication_role = replica'); // disables the triggers (superuser)
      await pg.query(sql, params);
      await pg.query('COMMIT');
    };

    it('reports an intact chain, signs its head, and finds an edited, a deleted and swapped rows', async () => {
      expect(await verify()).toMatchObject({ ok: true });
      expect(await app.get(AuditMaintenance).signHead()).toBe(true);
      expect(await verify()).toMatchObject({ ok: true, digests: 1 });

      // Changed and put back, whatever it was (null for a policy or identity record): which
      // record lands at seq 2 depends on how ingest batched.
      const was = (
        (await pg.query('SELECT decision FROM audit.audit_log WHERE seq = 2')).rows[0] as {
          decision: string | null;
        }
      ).decision;
      await tamper('UPDATE audit.audit_log SET decision = $1 WHERE seq = 2', [
        was === 'allow' ? 'deny' : 'allow',
      ]);
      expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'hash_mismatch', seq: 2 } });
      await tamper('UPDATE audit.audit_log SET decision = $1 WHERE seq = 2', [was]);
      expect(await verify()).toMatchObject({ ok: true });

      const saved = (await pg.query('SELECT * FROM audit.audit_log WHERE seq = 3')).rows[0] as Record<
        string,
        unknown
      >;
      await tamper('DELETE FROM audit.audit_log WHERE seq = 3');
      expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'missing_row', seq: 3 } });
      const cols = Object.keys(saved);
      await pg.query(
        `INSERT INTO audit.audit_log (${cols.join(',')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(',')})`,
        cols.map((c) => (c === 'record' ? JSON.stringify(saved[c]) : saved[c])),
      );
      expect(await verify()).toMatchObject({ ok: true });

      // Through a spare number: rows stored in one batch share ingested_at, and the key is
      // (ingested_at, seq), so a one-statement swap would collide with itself.
      const swap =
        'UPDATE audit.audit_log SET seq = 1000000004 WHERE seq = 4; ' +
        'UPDATE audit.audit_log SET seq = 4 WHERE seq = 5; ' +
        'UPDATE audit.audit_log SET seq = 5 WHERE seq = 1000000004';
      await tamper(swap);
      expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'broken_link', seq: 4 } });
      await tamper(swap);
      expect(await verify()).toMatchObject({ ok: true });

      const head = Number(
        ((await pg.query('SELECT max(seq) AS m FROM audit.audit_log')).rows[0] as { m: string }).m,
      );
      await app.get(AuditMaintenance).signHead();
      await tamper('DELETE FROM audit.audit_log WHERE seq = $1', [head]);
      expect(await verify()).toMatchObject({ ok: false, problem: { kind: 'truncated', seq: head } });
    });

    // Runs the built entry point (`nx run @modelgate/audit:build` first); skipped without a build.
    it.skipIf(!existsSync(VERIFY_CLI))(
      'has a command-line entry that prints the result and exits 1 on a problem',
      async () => {
        const failure = await run('node', [VERIFY_CLI], {
          env: { ...process.env, DATABASE_URL: db.url },
        }).catch((error: { code: number; stdout: string }) => error);
        expect('code' in failure ? failure.code : 0).toBe(1);
        expect(JSON.parse(failure.stdout)).toMatchObject({ ok: false, problem: { kind: 'truncated' } });
      },
    );
  });
});
