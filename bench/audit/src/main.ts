// Audit service benchmark: the built service (apps/audit/dist/main.js) as its own process on
// a fresh database and fresh topics.
//   1. ingest: BENCH_RECORDS decisions already on the topic, the service started cold:
//      records/s from its first row to its last;
//   2. lag: decisions produced at BENCH_RATE/s for BENCH_LAG_SECONDS, each stamped with the
//      time it was produced; lag = ingested_at - time, p50/p99/max over every row;
//   3. export: GET /v1/audit/export.csv of everything, rows/s, with the service's resident
//      memory sampled while it streams (constant memory = RSS flat whatever the row count);
//   4. verify: GET /v1/audit/verify, seconds, and per million rows (extrapolated linearly
//      when fewer rows were stored; the walk is one sequential pass).
// Environment: BENCH_RECORDS (200000), BENCH_RATE (5000), BENCH_LAG_SECONDS (20).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { createKafka, SafeProducer } from '@modelgate/messaging';
import {
  createTestDatabase,
  createTopic,
  DEMO_USERS,
  DEV_IDP_CLIENTS,
  fetchOidcTokens,
  infraEndpoints,
  uniqueTopicName,
} from '@modelgate/testing';

const SERVICE_MAIN = resolve(__dirname, '../../../apps/audit/dist/main.js');
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 200_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 5_000);
const LAG_SECONDS = Number(process.env['BENCH_LAG_SECONDS'] ?? 20);

function decision(i: number, time = new Date()): string {
  return JSON.stringify({
    schema: 1,
    decision_id: randomUUID(),
    time: time.toISOString(),
    request_id: `bench-${i}`,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    principal: {
      id: `user${i % 1000}@company.com`,
      type: 'user',
      roles: ['researcher'],
      groups: ['researchers'],
    },
    model: ['qwen3-7b-chat', 'qwen3-medical', 'internlm3-finance'][i % 3],
    operation: 'infer',
    source_ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
    allow: i % 5 !== 0,
    reason: i % 5 !== 0 ? 'allowed' : 'no_matching_rule',
    rule_id: 'researchers',
    policy_version: 3,
    shadow: null,
    detail: null,
    latency_us: 40 + (i % 50),
    replica: 'bench',
  });
}

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const kafka = createKafka({ brokers: infraEndpoints().kafkaBrokers, clientId: 'bench-audit' });
  const admin = kafka.admin();
  await admin.connect();
  const topics = {
    DECISIONS_TOPIC: uniqueTopicName('bench-audit-decisions'),
    POLICY_EVENTS_TOPIC: uniqueTopicName('bench-audit-policy'),
    IDENTITY_EVENTS_TOPIC: uniqueTopicName('bench-audit-identity'),
    DECISIONS_DLQ_TOPIC: uniqueTopicName('bench-audit-dlq'),
    POLICY_DLQ_TOPIC: uniqueTopicName('bench-audit-dlq'),
    IDENTITY_DLQ_TOPIC: uniqueTopicName('bench-audit-dlq'),
  };
  await createTopic(admin, topics.DECISIONS_TOPIC, 6);
  for (const t of Object.values(topics).slice(1)) await createTopic(admin, t, 1);
  const producer = new SafeProducer(kafka);
  await producer.connect();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const rows = async () =>
    Number(
      (
        (
          await pg
            .query('SELECT coalesce(max(seq), 0) AS n FROM audit.audit_log')
            .catch(() => ({ rows: [{ n: 0 }] }))
        ).rows[0] as { n: string }
      ).n,
    );
  let service: ChildProcess | undefined;
  try {
    process.stdout.write(`producing ${RECORDS} decisions...\n`);
    // Under the broker's 1 MB request limit.
    for (let i = 0; i < RECORDS; i += 1_000) {
      const n = Math.min(1_000, RECORDS - i);
      await producer.send(
        topics.DECISIONS_TOPIC,
        Array.from({ length: n }, (_, j) => ({ key: String((i + j) % 6), value: decision(i + j) })),
      );
    }
    const port = await freePort();
    service = spawn(process.execPath, [SERVICE_MAIN], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        ...topics,
        PORT: String(port),
        DATABASE_URL: db.url,
        KAFKA_BROKERS: infraEndpoints().kafkaBrokers.join(','),
        OIDC_ISSUERS: infraEndpoints().oidcIssuer,
        AUDIT_CONSUMER_GROUP: `bench-audit-${randomUUID()}`,
        LOG_LEVEL: 'warn',
      },
    });
    const pid = service.pid!;
    const base = `http://127.0.0.1:${port}`;
    await until(
      'the service',
      async () => (await fetch(`${base}/health/ready`).catch(() => null))?.ok === true,
      60_000,
    );

    // 1. ingest rate
    await until('the first row', async () => (await rows()) > 0, 60_000);
    const t0 = performance.now();
    await until(`${RECORDS} rows`, async () => (await rows()) >= RECORDS, 600_000);
    const ingestSeconds = (performance.now() - t0) / 1000;

    // 2. lag at a fixed rate
    const startSeq = await rows();
    const perTick = RATE / 100;
    const ticks = LAG_SECONDS * 100;
    const began = performance.now();
    for (let t = 0; t < ticks; t++) {
      const now = new Date();
      void producer.send(
        topics.DECISIONS_TOPIC,
        Array.from({ length: perTick }, (_, j) => ({
          key: String(j % 6),
          value: decision(t * perTick + j, now),
        })),
      );
      const next = began + (t + 1) * 10;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    const achieved = (ticks * perTick) / ((performance.now() - began) / 1000);
    await until('the lag phase rows', async () => (await rows()) >= startSeq + ticks * perTick, 120_000);
    const lag = (
      await pg.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY l) AS p99, max(l) AS max
           FROM (SELECT extract(epoch FROM ingested_at - occurred_at) * 1000 AS l FROM audit.audit_log WHERE seq > $1) s`,
        [startSeq],
      )
    ).rows[0] as { p50: number; p99: number; max: number };

    // 3. export
    const token = (
      await fetchOidcTokens({
        clientId: DEV_IDP_CLIENTS.tests.clientId,
        clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
        username: 'carol',
        password: DEMO_USERS.carol.password,
      })
    ).accessToken;
    const total = await rows();
    const rssBefore = rssMiB(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), 100);
    const e0 = performance.now();
    const res = await fetch(`${base}/v1/audit/export.csv`, { headers: { authorization: `Bearer ${token}` } });
    let bytes = 0;
    let lines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 0x0a) lines++;
    }
    const exportSeconds = (performance.now() - e0) / 1000;
    clearInterval(sampler);

    // 4. verify
    const v0 = performance.now();
    const verify = (await (
      await fetch(`${base}/v1/audit/verify`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { ok: boolean; rows: number };
    const verifySeconds = (performance.now() - v0) / 1000;

    const out = [
      `audit benchmark (${new Date().toISOString()})`,
      `ingest:  ${RECORDS} records in ${ingestSeconds.toFixed(1)} s = ${Math.round(RECORDS / ingestSeconds)} records/s (target >= 20000)`,
      `lag:     at ${Math.round(achieved)} decisions/s for ${LAG_SECONDS} s: p50 ${Number(lag.p50).toFixed(0)} ms, p99 ${Number(lag.p99).toFixed(0)} ms, max ${Number(lag.max).toFixed(0)} ms (target p99 < 2000 ms)`,
      `export:  ${lines - 1} rows (of ${total}), ${(bytes / 2 ** 20).toFixed(0)} MiB in ${exportSeconds.toFixed(1)} s = ${Math.round((lines - 1) / exportSeconds)} rows/s; service RSS ${rssBefore.toFixed(0)} MiB before, ${rssPeak.toFixed(0)} MiB peak`,
      `verify:  ${verify.rows} rows ok=${verify.ok} in ${verifySeconds.toFixed(1)} s = ${((verifySeconds / verify.rows) * 1e6).toFixed(1)} s per million rows${verify.rows < 1e6 ? ' (extrapolated linearly)' : ''}`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    service?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1_000));
    await producer.disconnect();
    await admin.disconnect();
    await pg.end();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
