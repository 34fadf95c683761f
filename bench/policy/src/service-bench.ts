// The real policy service: its built process (apps/policy/dist/main.js) on a free port with
// a fresh database and topic pair, a real acl-admin token from the dev OIDC provider, and W
// concurrent writers doing `PUT /v1/acl/models/{model}` (keep-alive, If-Match = the last
// ETag) of a document that changes on every write, so that every 2xx appends one event.
// A consumer of the events topic matches each record (`stream` + `sequence`) to the PUT
// whose ETag announced that version: lag = PUT's 2xx -> the record's arrival at the consumer.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { policyStreamId } from '@modelgate/contracts';
import { createKafka } from '@modelgate/messaging';
import {
  DEMO_USERS,
  DEV_IDP_CLIENTS,
  createTestDatabase,
  createTopic,
  fetchOidcTokens,
  infraEndpoints,
  uniqueTopicName,
  type TestDatabase,
  freePort,
} from '@modelgate/testing';
import { DOCUMENT, type BenchLoad } from './load';

/** The service's built entry point (bench packages never import apps: they run them). */
const SERVICE_MAIN = resolve(__dirname, '../../../apps/policy/dist/main.js');
const OIDC_ISSUER = 'http://127.0.0.1:3100';
const READY_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ServiceBenchResult {
  /** 2xx answers that appended an event (`changed: true`). */
  readonly writes: number;
  /** 2xx answers that changed nothing (should stay 0: every document differs). */
  readonly unchanged: number;
  /** Stale If-Match answers (412), each followed by a GET for the current ETag. */
  readonly conflicts: number;
  /** Any other answer or a failed request, by status (0 = network error). */
  readonly errors: ReadonlyMap<number, number>;
  readonly elapsedSeconds: number;
  /** PUT request -> response body read, of the 2xx answers. */
  readonly latenciesMs: readonly number[];
  /** PUT's 2xx (headers) -> the event's record arrives at the consumer; < 0 when it came first. */
  readonly lagsMs: readonly number[];
  /** Events answered with a 2xx whose record did not arrive within DRAIN_TIMEOUT_MS. */
  readonly missing: number;
  readonly drainedSeconds: number;
  readonly serviceUrl: string;
  /** CPU used during the write phase, in cores (1 = one core busy throughout). */
  readonly serviceCpuCores: number | undefined;
  readonly benchCpuCores: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The service process, its output kept (the tail) for when it fails. */
class ServiceProcess {
  private output = '';
  private exited: ExitStatus | undefined;
  private readonly exit: Promise<ExitStatus>;

  constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        done(this.exited);
      }),
    );
  }

  static start(env: Record<string, string>): ServiceProcess {
    if (!existsSync(SERVICE_MAIN))
      throw new Error(`${SERVICE_MAIN} is missing: pnpm exec nx run @modelgate/policy:build`);
    return new ServiceProcess(
      spawn(process.execPath, [SERVICE_MAIN], {
        cwd: resolve(SERVICE_MAIN, '../..'),
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  async waitReady(base: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exited !== undefined)
        throw new Error(`policy service exited (${JSON.stringify(this.exited)}):\n${this.output}`);
      const ok = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return;
      await sleep(200);
    }
    throw new Error(`policy service not ready within ${READY_TIMEOUT_MS} ms:\n${this.output}`);
  }

  /** CPU seconds (user + system) the process has used so far, from /proc; undefined elsewhere. */
  cpuSeconds(): number | undefined {
    try {
      const stat = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8');
      // Fields after `(comm)`: state is field 3, utime 14, stime 15 (in clock ticks, 100/s on Linux).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const status = await this.exit;
    clearTimeout(timer);
    if (status.code !== 0)
      process.stderr.write(
        `policy service stopped with ${JSON.stringify(status)}:\n${this.output.slice(-2_000)}\n`,
      );
  }
}

function parseEtag(etag: string | null): number | undefined {
  const match = /^(?:W\/)?"(\d+)"$/.exec(etag ?? '');
  return match === null ? undefined : Number(match[1]);
}

export async function benchService(load: BenchLoad): Promise<ServiceBenchResult> {
  const { writers: WRITERS, streams: STREAMS, seconds: SECONDS } = load;
  const infra = infraEndpoints();
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench-policy-service' });
  const topics = {
    events: uniqueTopicName('bench-policy-svc-events'),
    state: uniqueTopicName('bench-policy-svc-state'),
  };
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, topics.events, 3);
  await createTopic(admin, topics.state, 3, { 'cleanup.policy': 'compact' });
  await admin.disconnect();

  const tokens = await fetchOidcTokens({
    issuer: OIDC_ISSUER,
    clientId: DEV_IDP_CLIENTS.tests.clientId,
    clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
    username: 'admin',
    password: DEMO_USERS.admin.password,
  });
  const authorization = `Bearer ${tokens.accessToken}`;

  // Arrival time of each event record, by `stream#sequence`.
  const arrivals = new Map<string, number>();
  const consumer = kafka.consumer({
    groupId: `bench-policy-${randomBytes(5).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  let db: TestDatabase | undefined;
  let service: ServiceProcess | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: topics.events, fromBeginning: true });
    const joined = new Promise<void>((done) => consumer.on(consumer.events.GROUP_JOIN, () => done()));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const message of batch.messages) {
          if (message.value === null) continue;
          const envelope = JSON.parse(message.value.toString('utf8')) as { stream: string; sequence: number };
          arrivals.set(`${envelope.stream}#${envelope.sequence}`, now);
        }
        return Promise.resolve();
      },
    });
    await joined;

    db = await createTestDatabase();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    service = ServiceProcess.start({
      PORT: String(port),
      BIND_ADDRESS: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      OIDC_ISSUERS: OIDC_ISSUER,
      POLICY_EVENTS_TOPIC: topics.events,
      POLICY_STATE_TOPIC: topics.state,
    });
    await service.waitReady(base);

    const versions = new Array<number>(STREAMS).fill(0);
    // The 2xx time of each event written, by `stream#sequence`.
    const acked = new Map<string, number>();
    const latencies: number[] = [];
    const errors = new Map<number, number>();
    let writes = 0;
    let unchanged = 0;
    let conflicts = 0;
    let counter = 0;
    const countError = (status: number) => errors.set(status, (errors.get(status) ?? 0) + 1);

    const put = async (s: number): Promise<void> => {
      const model = `bench-${s}`;
      const n = (counter += 1);
      // A rule that differs on every write, so that each one appends an event.
      const body = {
        ...DOCUMENT,
        model,
        rules: [
          ...DOCUMENT.rules,
          { id: `w${n}`, principal: { type: 'user', value: `u${n}@company.com` }, operations: ['infer'] },
        ],
      };
      const headers: Record<string, string> = { authorization, 'content-type': 'application/json' };
      if (versions[s]! > 0) headers['if-match'] = `"${versions[s]}"`;
      const sent = performance.now();
      let res: Response;
      try {
        res = await fetch(`${base}/v1/acl/models/${encodeURIComponent(model)}`, {
          method: 'PUT',
          headers,
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch {
        countError(0);
        return;
      }
      const answered = performance.now();
      const text = await res.text();
      const done = performance.now();
      if (res.ok) {
        const version = parseEtag(res.headers.get('etag'));
        const changed = (JSON.parse(text) as { changed?: boolean }).changed === true;
        if (version === undefined) throw new Error(`2xx without an ETag: ${text.slice(0, 200)}`);
        versions[s] = Math.max(versions[s]!, version);
        latencies.push(done - sent);
        if (!changed) {
          unchanged += 1;
          return;
        }
        writes += 1;
        acked.set(`${policyStreamId(model)}#${version}`, answered);
      } else if (res.status === 412) {
        conflicts += 1;
        const current = await fetch(`${base}/v1/acl/models/${encodeURIComponent(model)}`, {
          headers: { authorization },
        });
        await current.body?.cancel();
        versions[s] = parseEtag(current.headers.get('etag')) ?? versions[s]!;
      } else {
        countError(res.status);
        if (errors.size === 1 && errors.get(res.status) === 1)
          process.stderr.write(`policy service answered ${res.status}: ${text.slice(0, 300)}\n`);
      }
    };

    const deadline = Date.now() + SECONDS * 1000;
    const serviceCpuBefore = service.cpuSeconds();
    const benchCpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = w; Date.now() < deadline; i += WRITERS) await put(i % STREAMS);
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const serviceCpuAfter = service.cpuSeconds();
    const benchCpu = process.cpuUsage(benchCpuBefore);

    const drainDeadline = Date.now() + DRAIN_TIMEOUT_MS;
    const pending = () => [...acked.keys()].filter((k) => !arrivals.has(k)).length;
    while (pending() > 0 && Date.now() < drainDeadline) await sleep(50);
    const drained = (performance.now() - started) / 1000;
    const lags: number[] = [];
    for (const [key, at] of acked) {
      const arrived = arrivals.get(key);
      if (arrived !== undefined) lags.push(arrived - at);
    }
    return {
      writes,
      unchanged,
      conflicts,
      errors,
      elapsedSeconds: elapsed,
      latenciesMs: latencies,
      lagsMs: lags,
      missing: acked.size - lags.length,
      drainedSeconds: drained - elapsed,
      serviceUrl: base,
      serviceCpuCores:
        serviceCpuBefore === undefined || serviceCpuAfter === undefined
          ? undefined
          : (serviceCpuAfter - serviceCpuBefore) / elapsed,
      benchCpuCores: (benchCpu.user + benchCpu.system) / 1e6 / elapsed,
    };
  } finally {
    await service?.stop();
    await consumer.disconnect().catch(() => undefined);
    await db?.drop();
  }
}
