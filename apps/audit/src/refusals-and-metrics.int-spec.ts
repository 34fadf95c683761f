// The gateway's refusals end to end, and the metrics endpoint while a SIEM is down, against
// real Kafka, Postgres and the dev OIDC provider: refusal records (no principal, the
// gateway's reasons, no model) produced to the decisions topic come back through the query
// API, CSV and NDJSON with empty principal cells, and reach an HTTP (HEC) receiver and a TCP
// syslog receiver; the syslog one is down at first, and `GET /metrics` shows its lag growing
// and then gone once it is back.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@modelgate/config';
import { decisionRecordV1Schema, type AuditEventV1, type DecisionRecordV1 } from '@modelgate/contracts';
import { createKafka, SafeProducer } from '@modelgate/messaging';
import { createServiceApp } from '@modelgate/service-kit';
import { createLogger } from '@modelgate/telemetry';
import {
  createTestDatabase,
  createTopic,
  DEMO_USERS,
  DEV_IDP_CLIENTS,
  fetchOidcTokens,
  infraEndpoints,
  uniqueTopicName,
  type TestDatabase,
  freePort,
} from '@modelgate/testing';
import { auditModules } from './audit.modules';
import { auditConfigSchema } from './config';
import { parseCsv } from './export/csv-reader';
import { decisionRecordFields } from './testing/decision-record';

type User = 'alice' | 'carol';

/** A decision record as the contract defines it (parsed, so a fixture cannot drift from it). */
function record(over: Partial<DecisionRecordV1>): DecisionRecordV1 {
  return decisionRecordV1Schema.parse(
    decisionRecordFields({ source_ip: '203.0.113.7', replica: 'decision:test', ...over }),
  );
}

const gateway = { rule_id: null, policy_version: 0, replica: 'gateway:test:1', allow: false } as const;
const REFUSALS = {
  unauthenticated: record({
    ...gateway,
    principal: null,
    reason: 'unauthenticated',
    detail: 'credential refused: expired',
  }),
  // A listing without credentials names no model.
  unauthenticatedListing: record({
    ...gateway,
    principal: null,
    model: '',
    operation: 'view',
    reason: 'unauthenticated',
    detail: 'credential refused: missing',
  }),
  // Identity did not answer: the caller is unknown, refused fail closed.
  identityDown: record({
    ...gateway,
    principal: null,
    reason: 'decision_unavailable',
    detail: 'identity lookup failed: timeout',
  }),
  keyScope: record({
    ...gateway,
    principal: { id: 'key_8f3a', type: 'api_key', roles: [], groups: [] },
    model: 'qwen3-medical',
    reason: 'key_scope',
    detail: "the API key's scope excludes this model",
  }),
  invalid: record({ ...gateway, model: '', reason: 'invalid_request', detail: 'model: expected a string' }),
};
const DECISIONS = [
  record({}),
  record({
    principal: { id: 'bob@company.com', type: 'user', roles: ['partner'], groups: ['partners'] },
    allow: false,
    reason: 'no_matching_rule',
    rule_id: null,
  }),
];
const ALL = [...Object.values(REFUSALS), ...DECISIONS];

/** Parses octet-counted frames off a byte stream (RFC 6587 §3.4.1). */
function frameParser(onFrame: (frame: string) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      const space = buf.indexOf(0x20);
      if (space < 0) return;
      const len = Number(buf.subarray(0, space).toString('ascii'));
      if (buf.length < space + 1 + len) return;
      onFrame(buf.subarray(space + 1, space + 1 + len).toString('utf8'));
      buf = buf.subarray(space + 1 + len);
    }
  };
}

/** The extension of a CEF line as a CEF parser reads it (escape-aware header, then `key=value`). */
function cefExtension(frame: string): Record<string, string> {
  const cef = frame.slice(frame.indexOf('CEF:0|'));
  let pipes = 0;
  let i = 0;
  for (; i < cef.length && pipes < 7; i++) {
    if (cef[i] === '\\') i++;
    else if (cef[i] === '|') pipes++;
  }
  const out: Record<string, string> = {};
  for (const m of cef.slice(i).matchAll(/(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)/g))
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_a, c: string) => (c === 'r' ? '\r' : c === 'n' ? '\n' : c));
  return out;
}

/** Prometheus text → `name{labels}` → value. */
function metricSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the gateway's refusals, and metrics while a SIEM is down", () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let kafka: Kafka;
  let admin: Admin;
  let producer: SafeProducer;
  let syslog: Server | undefined;
  let hec: HttpServer;
  let syslogPort: number;
  const frames: string[] = [];
  const hecEvents: Record<string, unknown>[] = [];
  const topics = {
    DECISIONS_TOPIC: uniqueTopicName('audit-refusals'),
    POLICY_EVENTS_TOPIC: uniqueTopicName('audit-refusals-policy'),
    IDENTITY_EVENTS_TOPIC: uniqueTopicName('audit-refusals-identity'),
    DECISIONS_DLQ_TOPIC: uniqueTopicName('audit-refusals-dlq'),
    POLICY_DLQ_TOPIC: uniqueTopicName('audit-refusals-dlq'),
    IDENTITY_DLQ_TOPIC: uniqueTopicName('audit-refusals-dlq'),
  };
  const auth: Record<User, Record<string, string>> = { alice: {}, carol: {} };
  const get = (url: string, who?: User) => app.inject({ method: 'GET', url, headers: who ? auth[who] : {} });
  const events = async (query: string, who: User = 'carol') => {
    const res = await get(`/v1/audit/events${query}`, who);
    expect(res.statusCode).toBe(200);
    return res.json<{ items: AuditEventV1[] }>().items;
  };
  const metrics = async () => {
    const res = await get('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return metricSamples(res.body);
  };
  const syslogName = () => `syslog:127.0.0.1:${syslogPort}`;
  const hecName = () => `http:127.0.0.1:${(hec.address() as AddressInfo).port}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    kafka = createKafka(
      { brokers: infraEndpoints().kafkaBrokers, clientId: 'audit-refusals-test' },
      createLogger('audit-refusals-test', 'silent'),
    );
    admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topics.DECISIONS_TOPIC, 2);
    for (const t of new Set(Object.values(topics).slice(1))) await createTopic(admin, t, 1);
    producer = new SafeProducer(kafka);
    await producer.connect();
    for (const user of ['alice', 'carol'] as const) {
      const t = await fetchOidcTokens({
        clientId: DEV_IDP_CLIENTS.tests.clientId,
        clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
        username: user,
        password: DEMO_USERS[user].password,
      });
      auth[user] = { authorization: `Bearer ${t.accessToken}` };
    }
    // The HEC receiver is up from the start; nothing listens on the syslog port yet.
    hec = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        for (const line of Buffer.concat(chunks).toString('utf8').split('\n'))
          hecEvents.push(JSON.parse(line) as Record<string, unknown>);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
      });
    });
    await new Promise<void>((r) => hec.listen(0, '127.0.0.1', r));
    syslogPort = await freePort();
    const config = loadConfig(auditConfigSchema, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infraEndpoints().kafkaBrokers.join(','),
      OIDC_ISSUERS: infraEndpoints().oidcIssuer,
      AUDIT_CONSUMER_GROUP: `audit-refusals-${randomUUID()}`,
      AUDIT_DIGEST_INTERVAL_MS: '3600000',
      SIEM_SYSLOG_URL: `tcp://127.0.0.1:${syslogPort}`,
      SIEM_HTTP_URL: `http://127.0.0.1:${(hec.address() as AddressInfo).port}/services/collector/event`,
      SIEM_HTTP_TOKEN: 'hec-token',
      SIEM_POLL_MS: '50',
      SIEM_MAX_BACKOFF_MS: '200',
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
    await producer.send(
      topics.DECISIONS_TOPIC,
      ALL.map((r) => ({ key: r.model, value: JSON.stringify(r) })),
    );
    await waitFor('every record in the trail', async () =>
      (await events('?limit=100')).length === ALL.length ? true : undefined,
    );
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [...new Set(Object.values(topics))] }).catch(() => undefined);
    await admin?.disconnect();
    await app?.close();
    syslog?.close();
    hec?.close();
    await db?.drop();
  });

  it('stores each refusal with its reason, no principal where there was none, and no model where none was named', async () => {
    const denied = await events('?decision=deny');
    expect(denied.map((e) => e.reason).sort()).toEqual(
      [
        'decision_unavailable',
        'invalid_request',
        'key_scope',
        'no_matching_rule',
        'unauthenticated',
        'unauthenticated',
      ].sort(),
    );
    const byId = new Map(denied.map((e) => [e.id, e]));
    expect(byId.get(REFUSALS.unauthenticated.decision_id)).toMatchObject({
      principal_id: null,
      principal_type: null,
      model: 'qwen3-7b-chat',
      decision: 'deny',
      record: { principal: null, detail: 'credential refused: expired' },
    });
    expect(byId.get(REFUSALS.unauthenticatedListing.decision_id)).toMatchObject({
      principal_id: null,
      model: null,
      operation: 'view',
    });
    expect(byId.get(REFUSALS.keyScope.decision_id)).toMatchObject({
      principal_id: 'key_8f3a',
      principal_type: 'api_key',
    });
    expect((await events('?decision=allow')).map((e) => e.id)).toEqual([DECISIONS[0]!.decision_id]);
  });

  it('filters by principal past rows without one, and refuses an empty principal naming the field', async () => {
    const alice = await events('?principal=alice%40company.com');
    expect(alice.map((e) => e.id).sort()).toEqual(
      [DECISIONS[0]!.decision_id, REFUSALS.invalid.decision_id].sort(),
    );
    expect(await events('?principal=nobody%40company.com&decision=deny')).toEqual([]);
    const empty = await get('/v1/audit/events?principal=', 'carol');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: { code: 'invalid_request', message: /^principal: / } });
    // A caller who sees only their own records never sees an unauthenticated attempt.
    const own = await events('', 'alice');
    expect(own.length).toBe(2);
    expect(own.every((e) => e.principal_id === 'alice@company.com')).toBe(true);
  });

  it('exports refusals with empty principal cells in CSV and null principals in NDJSON', async () => {
    const csv = await get('/v1/audit/export.csv?decision=deny', 'carol');
    expect(csv.statusCode).toBe(200);
    const [header, ...rows] = parseCsv(csv.body);
    const col = (name: string) => header!.indexOf(name);
    expect(rows).toHaveLength(6);
    const row = (id: string) => rows.find((r) => r[col('id')] === id)!;
    for (const r of [REFUSALS.unauthenticated, REFUSALS.unauthenticatedListing, REFUSALS.identityDown]) {
      expect(row(r.decision_id)[col('principal_id')]).toBe('');
      expect(row(r.decision_id)[col('principal_type')]).toBe('');
      expect(row(r.decision_id)[col('decision')]).toBe('deny');
      expect(row(r.decision_id)[col('reason')]).toBe(r.reason);
      expect(JSON.parse(row(r.decision_id)[col('record')]!)).toMatchObject({
        principal: null,
        detail: r.detail,
      });
    }
    expect(row(REFUSALS.unauthenticatedListing.decision_id)[col('model')]).toBe('');
    expect(row(REFUSALS.keyScope.decision_id)[col('principal_id')]).toBe('key_8f3a');

    const nd = await get('/v1/audit/export.ndjson?decision=deny', 'carol');
    const lines = nd.body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditEventV1);
    expect(lines).toHaveLength(6);
    expect(lines.filter((e) => e.principal_id === null)).toHaveLength(3);
  });

  it('forwards refusals to the HEC receiver without an ECS user', async () => {
    await waitFor('every event at the HEC receiver', () =>
      hecEvents.length >= ALL.length ? true : undefined,
    );
    const byId = new Map(
      hecEvents.map((h) => {
        const e = h['event'] as { event: { id: string } };
        return [e.event.id, h['event'] as Record<string, unknown>];
      }),
    );
    const unauthenticated = byId.get(REFUSALS.unauthenticated.decision_id)!;
    expect(unauthenticated['user']).toBeUndefined();
    expect(unauthenticated).toMatchObject({
      event: { outcome: 'failure', reason: 'unauthenticated', action: 'infer' },
      source: { ip: '203.0.113.7' },
      message: 'credential refused: expired',
    });
    expect(byId.get(REFUSALS.keyScope.decision_id)).toMatchObject({
      user: { id: 'key_8f3a' },
      event: { reason: 'key_scope' },
    });
  });

  it('shows the syslog lag growing on /metrics while the receiver is down, and gone once it is back', async () => {
    // Down: every row pending, failures counting, the oldest pending row getting older.
    const first = await waitFor('the syslog forwarder to have failed', async () => {
      const m = await metrics();
      return (m.get(`audit_siem_consecutive_failures{forwarder="${syslogName()}"}`) ?? 0) >= 2
        ? m
        : undefined;
    });
    expect(first.get(`audit_siem_pending_records{forwarder="${syslogName()}"}`)).toBe(ALL.length);
    expect(first.get(`audit_siem_position_seq{forwarder="${syslogName()}"}`)).toBe(0);
    const lag1 = first.get(`audit_siem_lag_seconds{forwarder="${syslogName()}"}`)!;
    expect(lag1).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_200));
    const second = await metrics();
    expect(second.get(`audit_siem_lag_seconds{forwarder="${syslogName()}"}`)).toBeGreaterThanOrEqual(
      lag1 + 1,
    );
    expect(second.get(`audit_siem_failures_total{forwarder="${syslogName()}"}`)).toBeGreaterThan(
      first.get(`audit_siem_failures_total{forwarder="${syslogName()}"}`)!,
    );
    // The other sink is unaffected: caught up.
    expect(second.get(`audit_siem_pending_records{forwarder="${hecName()}"}`)).toBe(0);
    expect(second.get(`audit_siem_lag_seconds{forwarder="${hecName()}"}`)).toBe(0);
    expect(second.get(`audit_siem_forwarded_total{forwarder="${hecName()}"}`)).toBe(ALL.length);
    // Ingest and exports as the earlier tests left them.
    expect(second.get('audit_ingest_running')).toBe(1);
    expect(second.get('audit_ingest_records_total{result="inserted"}')).toBe(ALL.length);
    expect(second.get('audit_ingest_records_total{result="dead_lettered"}')).toBe(0);
    expect(second.get('audit_ingest_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(second.get('audit_chain_head_seq')).toBe(ALL.length);
    const offsetLags = [...second].filter(([k]) =>
      k.startsWith(`audit_ingest_offset_lag{topic="${topics.DECISIONS_TOPIC}",`),
    );
    expect(offsetLags.length).toBeGreaterThan(0);
    expect(offsetLags.every(([, v]) => v === 0)).toBe(true);
    expect(second.get('audit_exports_total{format="csv",outcome="completed"}')).toBe(1);
    expect(second.get('audit_exports_total{format="ndjson",outcome="completed"}')).toBe(1);
    expect(second.get('audit_export_rows_total{format="csv"}')).toBe(6);

    // Back: everything arrives, the lag and the pending count go to zero.
    syslog = createServer((socket) => {
      socket.on(
        'data',
        frameParser((f) => frames.push(f)),
      );
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => syslog!.listen(syslogPort, '127.0.0.1', r));
    const after = await waitFor('the syslog forwarder to catch up', async () => {
      const m = await metrics();
      return m.get(`audit_siem_pending_records{forwarder="${syslogName()}"}`) === 0 ? m : undefined;
    });
    expect(after.get(`audit_siem_lag_seconds{forwarder="${syslogName()}"}`)).toBe(0);
    expect(after.get(`audit_siem_consecutive_failures{forwarder="${syslogName()}"}`)).toBe(0);
    expect(after.get(`audit_siem_position_seq{forwarder="${syslogName()}"}`)).toBe(ALL.length);

    // And the refusals in CEF: no suser where there is no principal, the reason and detail kept.
    await waitFor('every frame', () => (frames.length >= ALL.length ? true : undefined));
    const cef = new Map(
      frames.map((f) => [cefExtension(f)['externalId'], { frame: f, ext: cefExtension(f) }]),
    );
    const unauthenticated = cef.get(REFUSALS.unauthenticated.decision_id)!;
    expect(unauthenticated.frame).toMatch(
      /^<108>1 .* CEF:0\|Modelgate\|modelgate-audit\|1\|infer\|infer deny\|5\|/,
    );
    expect(unauthenticated.ext).not.toHaveProperty('suser');
    expect(unauthenticated.ext).toMatchObject({
      outcome: 'deny',
      reason: 'unauthenticated',
      src: '203.0.113.7',
      cs1: 'qwen3-7b-chat',
      msg: 'credential refused: expired',
    });
    const listing = cef.get(REFUSALS.unauthenticatedListing.decision_id)!.ext;
    expect(listing).not.toHaveProperty('suser');
    expect(listing).not.toHaveProperty('cs1');
    expect(cef.get(REFUSALS.identityDown.decision_id)!.ext).toMatchObject({ reason: 'decision_unavailable' });
    expect(cef.get(REFUSALS.keyScope.decision_id)!.ext).toMatchObject({
      suser: 'key_8f3a',
      reason: 'key_scope',
    });
  });
});
