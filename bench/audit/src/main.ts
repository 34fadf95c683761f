// Audit service benchmark: the built service (apps/audit/dist/main.js) as its own process on
// a fresh database and fresh topics (deleted afterwards).
//   1. ingest: BENCH_RECORDS decisions already on the topic, the service started cold:
//      records/s from its first row to its last;
//   2. export at that size: GET /v1/audit/export.csv and export.ndjson of everything, rows/s,
//      with the service's resident memory sampled while it streams;
//   3. lag: decisions produced at BENCH_RATE/s for BENCH_LAG_SECONDS, each stamped with the
//      time it was produced; lag = ingested_at - time, p50/p99/max over every row;
//   4. the service stopped, the topic topped up to BENCH_TOTAL rows, the service started
//      again: catch-up ingest records/s (the larger sample), then export of the whole trail
//      (constant memory = the same RSS peak at BENCH_TOTAL as at BENCH_RECORDS);
//   5. verify: GET /v1/audit/verify of the whole trail, seconds, and per million rows.
// Each ingest figure comes with the CPU time per record of the service and of the Postgres
// backends serving its database: on a shared machine records/s moves with the neighbours'
// load, CPU per record much less.
// Environment: BENCH_RECORDS (100000), BENCH_TOTAL (1000000), BENCH_RATE (5000),
// BENCH_LAG_SECONDS (20), BENCH_CPU_PROF (a directory: the service runs with --cpu-prof),
// BENCH_SERVICE_MAIN (the service's entry point; default apps/audit/dist/main.js).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { Admin } from 'kafkajs';
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
  freePort,
} from '@modelgate/testing';

/** BENCH_SERVICE_MAIN: another build of the service to measure (an A/B against a former commit). */
const SERVICE_MAIN = resolve(
  process.env['BENCH_SERVICE_MAIN'] ?? resolve(__dirname, '../../../apps/audit/dist/main.js'),
);
const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 100_000);
const TOTAL = Number(process.env['BENCH_TOTAL'] ?? 1_000_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 5_000);
const LAG_SECONDS = Number(process.env['BENCH_LAG_SECONDS'] ?? 20);
const PARTITIONS = 6;

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

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // gone meanwhile
  }
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Produces decisions `from`..`to`-1, 1,000 per request (under the broker's 1 MB limit), 8 requests in flight. */
async function produce(producer: SafeProducer, topic: string, from: number, to: number): Promise<void> {
  const starts: number[] = [];
  for (let i = from; i < to; i += 1_000) starts.push(i);
  const worker = async () => {
    for (let s = starts.shift(); s !== undefined; s = starts.shift()) {
      const n = Math.min(1_000, to - s);
      await producer.send(
        topic,
        Array.from({ length: n }, (_, j) => ({ key: String((s + j) % PARTITIONS), value: decision(s + j) })),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

interface ExportFigure {
  readonly format: 'csv' | 'ndjson';
  readonly rows: number;
  readonly mib: number;
  readonly seconds: number;
  readonly rssBefore: number;
  readonly rssPeak: number;
}

/** Streams one whole export, counting rows (lines) and sampling the service's RSS every 100 ms. */
async function exportAll(
  base: string,
  token: string,
  pid: number,
  format: 'csv' | 'ndjson',
): Promise<ExportFigure> {
  const rssBefore = rssMiB(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(pid))), 100);
  const t0 = performance.now();
  const res = await fetch(`${base}/v1/audit/export.${format}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`export.${format} answered ${res.status}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 0x0a) lines++;
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  return {
    format,
    rows: format === 'csv' ? lines - 1 : lines,
    mib: bytes / 2 ** 20,
    seconds,
    rssBefore,
    rssPeak,
  };
}

const exportLine = (e: ExportFigure) =>
  `export:  ${e.format.padEnd(6)} ${e.rows} rows, ${e.mib.toFixed(0)} MiB in ${e.seconds.toFixed(1)} s = ${Math.round(
    e.rows / e.seconds,
  )} rows/s; service RSS ${e.rssBefore.toFixed(0)} MiB before, ${e.rssPeak.toFixed(0)} MiB peak`;

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const kafka = createKafka({ brokers: infraEndpoints().kafkaBrokers, clientId: 'bench-audit' });
  const admin: Admin = kafka.admin();
  await admin.connect();
  const topics = {
    DECISIONS_TOPIC: uniqueTopicName('bench-audit-decisions'),
    POLICY_EVENTS_TOPIC: uniqueTopicName('bench-audit-policy'),
    IDENTITY_EVENTS_TOPIC: uniqueTopicName('bench-audit-identity'),
    DECISIONS_DLQ_TOPIC: uniqueTopicName('bench-audit-dlq'),
    POLICY_DLQ_TOPIC: uniqueTopicName('bench-audit-dlq'),
    IDENTITY_DLQ_TOPIC: uniqueTopicName('bench-audit-dlq'),
  };
  await createTopic(admin, topics.DECISIONS_TOPIC, PARTITIONS);
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
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const groupId = `bench-audit-${randomUUID()}`;
  const profile = process.env['BENCH_CPU_PROF'];
  let service: ChildProcess | undefined;
  const start = async (): Promise<number> => {
    service = spawn(
      process.execPath,
      [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profile)}`] : []), SERVICE_MAIN],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          ...topics,
          PORT: String(port),
          DATABASE_URL: db.url,
          KAFKA_BROKERS: infraEndpoints().kafkaBrokers.join(','),
          OIDC_ISSUERS: infraEndpoints().oidcIssuer,
          AUDIT_CONSUMER_GROUP: groupId,
          LOG_LEVEL: 'warn',
        },
      },
    );
    await until(
      'the service',
      async () => (await fetch(`${base}/health/ready`).catch(() => null))?.ok === true,
      60_000,
    );
    return service.pid!;
  };
  const stop = async () => {
    const s = service;
    service = undefined;
    if (!s || s.exitCode !== null) return;
    await new Promise((r) => {
      s.once('exit', r);
      s.kill('SIGTERM');
    });
  };
  /**
   * CPU used so far by the service and by the Postgres backends serving this database (the
   * machine is shared, so records/s alone says as much about the neighbours as about us).
   */
  const cpu = async () => {
    const backends = (
      await pg.query(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      )
    ).rows as { pid: number }[];
    return {
      service: service?.pid ? cpuSeconds(service.pid) : 0,
      postgres: new Map(backends.map((b) => [b.pid, cpuSeconds(b.pid)])),
    };
  };
  /** Records/s from the first new row to `target` rows, and CPU µs per record. */
  const ingest = async (before: number, target: number) => {
    await until('the first row', async () => (await rows()) > before, 60_000);
    const t0 = performance.now();
    const cpu0 = await cpu();
    const first = await rows();
    await until(`${target} rows`, async () => (await rows()) >= target, 900_000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = await cpu();
    const records = target - first;
    let postgres = 0;
    // A backend that started during the phase counts from zero.
    for (const [pid, t] of cpu1.postgres) postgres += t - (cpu0.postgres.get(pid) ?? 0);
    const perRecord = (s: number) => ((s / records) * 1e6).toFixed(1);
    return {
      records,
      seconds,
      rate: records / seconds,
      load: load(),
      cpu: `CPU per record: service ${perRecord(cpu1.service - cpu0.service)} µs, postgres ${perRecord(postgres)} µs`,
    };
  };
  const out: string[] = [`audit benchmark (${new Date().toISOString()})`];
  const say = (line: string) => {
    out.push(line);
    process.stdout.write(`${line}\n`);
  };
  try {
    const p0 = performance.now();
    await produce(producer, topics.DECISIONS_TOPIC, 0, RECORDS);
    process.stdout.write(
      `produced ${RECORDS} decisions in ${((performance.now() - p0) / 1000).toFixed(1)} s\n`,
    );
    let pid = await start();

    // 1. ingest rate, cold start, topic already full
    const first = await ingest(0, RECORDS);
    say(
      `ingest:  ${first.records} records in ${first.seconds.toFixed(1)} s = ${Math.round(first.rate)} records/s (cold start, topic pre-filled; load ${first.load}; ${first.cpu}) (target >= 20000)`,
    );

    // 2. export at RECORDS rows
    const token = (
      await fetchOidcTokens({
        clientId: DEV_IDP_CLIENTS.tests.clientId,
        clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
        username: 'carol',
        password: DEMO_USERS.carol.password,
      })
    ).accessToken;
    say(exportLine(await exportAll(base, token, pid, 'csv')));
    say(exportLine(await exportAll(base, token, pid, 'ndjson')));

    // 3. lag at a fixed rate
    const startSeq = await rows();
    const perTick = RATE / 100;
    const ticks = LAG_SECONDS * 100;
    const began = performance.now();
    for (let t = 0; t < ticks; t++) {
      const now = new Date();
      void producer.send(
        topics.DECISIONS_TOPIC,
        Array.from({ length: perTick }, (_, j) => ({
          key: String(j % PARTITIONS),
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
    say(
      `lag:     at ${Math.round(achieved)} decisions/s for ${LAG_SECONDS} s: p50 ${Number(lag.p50).toFixed(0)} ms, p99 ${Number(lag.p99).toFixed(0)} ms, max ${Number(lag.max).toFixed(0)} ms (load ${load()}) (target p99 < 2000 ms)`,
    );

    // 4. top up to TOTAL with the service stopped, then catch up and export everything
    const have = await rows();
    if (TOTAL > have) {
      await stop();
      const p1 = performance.now();
      await produce(producer, topics.DECISIONS_TOPIC, have, TOTAL);
      process.stdout.write(
        `produced ${TOTAL - have} decisions in ${((performance.now() - p1) / 1000).toFixed(1)} s\n`,
      );
      pid = await start();
      const catchUp = await ingest(have, TOTAL);
      say(
        `ingest:  ${catchUp.records} records in ${catchUp.seconds.toFixed(1)} s = ${Math.round(catchUp.rate)} records/s (restart, catching up from ${have} rows; load ${catchUp.load}; ${catchUp.cpu}) (target >= 20000)`,
      );
      say(exportLine(await exportAll(base, token, pid, 'csv')));
      say(exportLine(await exportAll(base, token, pid, 'ndjson')));
    }

    // 5. verify
    const v0 = performance.now();
    const verify = (await (
      await fetch(`${base}/v1/audit/verify`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { ok: boolean; rows: number };
    const verifySeconds = (performance.now() - v0) / 1000;
    say(
      `verify:  ${verify.rows} rows ok=${verify.ok} in ${verifySeconds.toFixed(1)} s = ${((verifySeconds / verify.rows) * 1e6).toFixed(1)} s per million rows${verify.rows < 1e6 ? ' (extrapolated linearly)' : ''} (load ${load()})`,
    );
    process.stdout.write(`\n${out.join('\n')}\n`);
  } finally {
    await stop();
    await producer.disconnect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
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
