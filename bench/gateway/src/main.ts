// The gateway benchmark (issue #8 part 6): the same chat request against the demo engine
// called directly, through nginx, through LiteLLM and through Modelgate, side by side in one
// run: fixed rates (open loop), max throughput (closed loop) and time to first token of
// streams. Prints one table; the report (JSON and the table) goes to .run/bench/gateway/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { readNodeFlags } from '@modelgate/testing';
import { BenchConfigError, loadBenchConfig, type BenchConfig, type TargetName } from './bench-config';
import { chatRequest, LOADGEN_BIN, load, once, ROOT, writeRequest, type LoadOptions } from './loadgen';
import { startLitellm } from './peers/litellm';
import { prepareModelgate, type ModelgateSession } from './peers/modelgate';
import { NGINX_BIN, startNginx } from './peers/nginx';
import {
  cpuSeconds,
  pidListeningOn,
  processTree,
  runQueueWaitSeconds,
  startChild,
  waitForHttp,
  type Child,
} from './processes';
import { renderReport, round, type LoadResult, type TargetRuns } from './report';

const RUN_DIR = join(ROOT, '.run/bench/gateway');
const LITELLM_BIN = join(ROOT, '.run/tools/litellm/bin/litellm');
const LITELLM_MASTER_KEY = 'sk-bench-gateway-master';
const DEMO_MODELS = ['qwen3-7b-chat', 'qwen3-medical', 'internlm3-finance', 'qwen3-vl-demo'];

interface Target {
  readonly name: TargetName;
  readonly label: string;
  readonly addr: string;
  readonly plainFile: string;
  readonly streamFile: string;
  /** The processes doing the proxy's work, for its CPU figure (none for the engine itself). */
  readonly proxyPids: () => number[];
  /** For a proxy made of several services: each one's pid, for a CPU figure per service. */
  readonly parts?: Readonly<Record<string, number>>;
}

const log = (msg: string): void => console.log(`[bench-gateway] ${msg}`);

const cpuParts = (r: LoadResult): string =>
  (r.proxy_cpu_wait_pct !== undefined
    ? `; proxy CPU ${r.proxy_cpu_pct} %, waited for a CPU ${r.proxy_cpu_wait_pct} %`
    : '') +
  (r.proxy_cpu_by_process
    ? `; CPU % ${Object.entries(r.proxy_cpu_by_process)
        .map(([n, v]) => `${n} ${v}`)
        .join(', ')}`
    : '');

/** The dev stack's service ports (the `dev` script's SERVICE_PORT) whose CPU counts for Modelgate. */
const MODELGATE_SERVICE_PORTS = { identity: 3001, decision: 3003, audit: 3004 } as const;

function pidsOn(ports: readonly number[]): number[] {
  return ports.map(pidListeningOn).filter((p): p is number => p !== null);
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function freePort(port: number, who: string): Promise<void> {
  if (await portTaken(port)) throw new Error(`${who}: port ${port} is taken (a previous run still there?)`);
}

class Bench {
  private readonly children: Child[] = [];
  private session: ModelgateSession | null = null;
  private enginePids: number[] = [];
  readonly targets: Target[] = [];

  constructor(private readonly config: BenchConfig) {}

  private engineAuth(): string | null {
    return this.config.engineKey ? `Bearer ${this.config.engineKey}` : null;
  }

  private addTarget(
    name: TargetName,
    label: string,
    base: string,
    authorization: string | null,
    proxyPids: () => number[],
    parts?: Readonly<Record<string, number>>,
  ): void {
    const dir = RUN_DIR;
    const c = this.config;
    this.targets.push({
      name,
      label,
      addr: new URL(base).host,
      plainFile: writeRequest(dir, `${name}-plain`, chatRequest(c.model, authorization, false, 16)),
      streamFile: writeRequest(
        dir,
        `${name}-stream`,
        chatRequest(c.model, authorization, true, c.streamTokens),
      ),
      proxyPids,
      ...(parts ? { parts } : {}),
    });
  }

  async setUp(): Promise<void> {
    const c = this.config;
    if (!existsSync(LOADGEN_BIN)) throw new Error(`${LOADGEN_BIN} missing: run bench/gateway/setup-peers.sh`);
    if (await answers(`${c.engineUrl}/health/ready`)) {
      this.enginePids = pidsOn([Number(new URL(c.engineUrl).port || 80)]);
      log(`engine: ${c.engineUrl} (already running, pids ${this.enginePids.join(' ') || 'unknown'})`);
    } else {
      const port = new URL(c.engineUrl).port || '80';
      log(`engine: starting apps/demo-engine on :${port}`);
      const child = startChild(
        'demo-engine',
        process.execPath,
        [
          ...readNodeFlags(join(ROOT, 'apps/demo-engine/node-flags')),
          join(ROOT, 'apps/demo-engine/dist/main.js'),
        ],
        {
          logFile: join(RUN_DIR, 'demo-engine.log'),
          env: { ...process.env, PORT: port, ...(c.engineKey ? { DEMO_API_KEY: c.engineKey } : {}) },
        },
      );
      this.children.push(child);
      await waitForHttp(`${c.engineUrl}/health/ready`, 30_000, child);
      this.enginePids = child.process.pid ? [child.process.pid] : [];
    }
    this.addTarget('direct', 'engine direct', c.engineUrl, this.engineAuth(), () => []);

    if (c.targets.has('nginx')) {
      if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} missing: run bench/gateway/setup-peers.sh`);
      await freePort(c.nginxPort, 'nginx');
      const dir = join(RUN_DIR, 'nginx');
      const child = await startNginx(
        { dir, listenPort: c.nginxPort, upstream: new URL(c.engineUrl).host, workers: c.nginxWorkers },
        c.peerCpus,
      );
      this.children.push(child);
      // nginx passes the client's Authorization through, as a plain reverse proxy does.
      this.addTarget(
        'nginx',
        `nginx (${c.nginxWorkers} worker)`,
        `http://127.0.0.1:${c.nginxPort}`,
        this.engineAuth(),
        () => processTree(child.process.pid!),
      );
      log(`nginx: :${c.nginxPort}`);
    }

    if (c.targets.has('litellm')) {
      if (!existsSync(LITELLM_BIN))
        throw new Error(`${LITELLM_BIN} missing: run bench/gateway/setup-peers.sh`);
      await freePort(c.litellmPort, 'litellm');
      log(`litellm: starting on :${c.litellmPort} (takes a while)`);
      const child = await startLitellm(
        {
          dir: RUN_DIR,
          bin: LITELLM_BIN,
          listenPort: c.litellmPort,
          apiBase: `${c.engineUrl}/v1`,
          engineKey: c.engineKey || 'none',
          models: DEMO_MODELS,
          masterKey: LITELLM_MASTER_KEY,
          workers: c.litellmWorkers,
        },
        c.peerCpus,
      );
      this.children.push(child);
      this.addTarget(
        'litellm',
        `LiteLLM (master key, ${c.litellmWorkers} workers)`,
        `http://127.0.0.1:${c.litellmPort}`,
        `Bearer ${LITELLM_MASTER_KEY}`,
        () => processTree(child.process.pid!),
      );
    }

    if (c.targets.has('modelgate')) {
      if (!(await answers(`${c.gatewayUrl}/health/ready`))) {
        log(
          `modelgate: ${c.gatewayUrl}/health/ready does not answer 200: skipped (start the stack with ./dev up)`,
        );
      } else {
        const probeFile = writeRequest(RUN_DIR, 'modelgate-probe', chatRequest(c.model, null, false, 1));
        this.session = await prepareModelgate(
          c.gatewayUrl,
          c.model,
          { username: 'admin', password: 'admin-password' },
          async (key) => {
            const spec = JSON.parse(readFileSync(probeFile, 'utf8')) as { headers: Record<string, string> };
            spec.headers['Authorization'] = `Bearer ${key}`;
            writeFileSync(probeFile, JSON.stringify(spec));
            const r = await once({ addr: new URL(c.gatewayUrl).host, requestFile: probeFile, cpus: '' });
            return r.status === 200;
          },
        );
        const servicePorts = {
          gateway: Number(new URL(c.gatewayUrl).port || 80),
          ...MODELGATE_SERVICE_PORTS,
        };
        const parts: Record<string, number> = {};
        for (const [name, port] of Object.entries(servicePorts)) {
          const pid = pidListeningOn(port);
          if (pid !== null) parts[name] = pid;
        }
        const stack = Object.values(parts);
        log(
          `modelgate: CPU counted for ${Object.entries(parts)
            .map(([n, p]) => `${n} (pid ${p})`)
            .join(', ')}`,
        );
        this.addTarget(
          'modelgate',
          'Modelgate (API key, policy, audit)',
          c.gatewayUrl,
          `Bearer ${this.session.apiKey}`,
          () => stack,
          parts,
        );
        log(`modelgate: ${c.gatewayUrl}, API key scoped to ${c.model}, rule added`);
      }
    }

    // Every target must give the right answer before anything is timed.
    for (const t of [...this.targets]) {
      for (const file of [t.plainFile, t.streamFile]) {
        const r = await once({ addr: t.addr, requestFile: file, cpus: '' });
        if (r.status !== 200 || r.mismatch || r.error) {
          throw new Error(
            `${t.label}: check request failed: HTTP ${r.status} ${r.error ?? ''} ${r.body.slice(0, 300)}`,
          );
        }
      }
      log(`${t.label}: answers correctly (plain and streamed)`);
    }
  }

  /** One measured run with the proxy's and the engine's CPU over it. */
  async measure(t: Target, options: Omit<LoadOptions, 'addr' | 'cpus'>, warm: boolean): Promise<LoadResult> {
    const c = this.config;
    if (warm && c.warmupMs > 0) {
      await load({
        addr: t.addr,
        requestFile: options.requestFile,
        mode: 'closed',
        concurrency: 8,
        durationMs: c.warmupMs,
        cpus: c.loadgenCpus,
      });
    }
    const pids = t.proxyPids();
    const engine = this.enginePids;
    const cpu0 = cpuSeconds(pids);
    const w0 = runQueueWaitSeconds(pids);
    const e0 = cpuSeconds(engine);
    const parts0 = Object.fromEntries(
      Object.entries(t.parts ?? {}).map(([n, pid]) => [n, cpuSeconds([pid])]),
    );
    const t0 = Date.now();
    const result = await load({ ...options, addr: t.addr, cpus: c.loadgenCpus });
    const seconds = (Date.now() - t0) / 1000;
    if (pids.length > 0) {
      result.proxy_cpu_pct = round(((cpuSeconds(pids) - cpu0) / seconds) * 100, 1);
      result.proxy_cpu_wait_pct = round(((runQueueWaitSeconds(pids) - w0) / seconds) * 100, 1);
    }
    if (engine.length > 0) result.engine_cpu_pct = round(((cpuSeconds(engine) - e0) / seconds) * 100, 1);
    if (t.parts) {
      result.proxy_cpu_by_process = Object.fromEntries(
        Object.entries(t.parts).map(([n, pid]) => [
          n,
          round(((cpuSeconds([pid]) - parts0[n]!) / seconds) * 100, 1),
        ]),
      );
    }
    await this.settle(t);
    return result;
  }

  /**
   * An overloaded proxy (LiteLLM above its capacity) goes on working through its queue after
   * the generator has gone; the next target must not be measured while it does.
   */
  private async settle(t: Target): Promise<void> {
    const pids = [...t.proxyPids(), ...this.enginePids];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const before = cpuSeconds(pids);
      await new Promise((r) => setTimeout(r, 500));
      if (cpuSeconds(pids) - before < 0.05) return; // under 10 % of a core
    }
    log(`${t.label}: still busy 30 s after its run`);
  }

  async run(): Promise<TargetRuns[]> {
    const c = this.config;
    const runs = new Map<
      TargetName,
      { max?: LoadResult; rates: Record<number, LoadResult>; stream?: LoadResult }
    >();
    for (const t of this.targets) runs.set(t.name, { rates: {} });
    const fmt = (r: LoadResult) =>
      `${Math.round(r.rps)} req/s, p50 ${r.latency_ms.p50} ms, p99 ${r.latency_ms.p99} ms, errors ${r.errors}, mismatches ${r.mismatches}`;

    // Interleaved per phase, so that a burst of other work on the machine does not land on one target only.
    for (const t of this.targets) {
      const r = await this.measure(
        t,
        {
          requestFile: t.plainFile,
          mode: 'closed',
          concurrency: c.closedConnections,
          durationMs: c.closedDurationMs,
        },
        true,
      );
      runs.get(t.name)!.max = r;
      log(`max ${t.label}: ${fmt(r)}${cpuParts(r)}`);
    }
    for (const rate of c.rates) {
      for (const t of this.targets) {
        const r = await this.measure(
          t,
          {
            requestFile: t.plainFile,
            mode: 'open',
            rate,
            concurrency: c.openConnections,
            durationMs: c.durationMs,
          },
          true,
        );
        runs.get(t.name)!.rates[rate] = r;
        log(
          `${rate}/s ${t.label}: ${fmt(r)}${r.first_error ? ` (${r.first_error.slice(0, 120)})` : ''}${cpuParts(r)}`,
        );
      }
    }
    for (const t of this.targets) {
      const r = await this.measure(
        t,
        {
          requestFile: t.streamFile,
          mode: 'open',
          rate: c.streamRate,
          concurrency: c.openConnections,
          durationMs: c.streamDurationMs,
        },
        true,
      );
      runs.get(t.name)!.stream = r;
      log(`stream ${t.label}: TTFT p50 ${r.ttft_ms?.p50} ms p99 ${r.ttft_ms?.p99} ms, errors ${r.errors}`);
    }
    return this.targets.map((t) => ({ target: t.name, label: t.label, ...runs.get(t.name)! }));
  }

  async tearDown(): Promise<void> {
    if (this.session) {
      try {
        log(`modelgate: ${await this.session.restore()}`);
      } catch (error) {
        log(`modelgate: restore failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    for (const child of this.children.reverse()) await child.stop();
    // The request files hold the keys the targets were called with.
    for (const t of this.targets)
      for (const file of [t.plainFile, t.streamFile]) rmSync(file, { force: true });
    rmSync(join(RUN_DIR, 'modelgate-probe.request.json'), { force: true });
  }
}

function machine(): Record<string, unknown> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown';
  const cpus = cpuinfo.split('\n').filter((l) => l.startsWith('processor')).length;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  return { cpu: model, cpus, load_avg_at_start: load, node: process.version };
}

async function main(): Promise<void> {
  let config: BenchConfig;
  try {
    config = loadBenchConfig();
  } catch (error) {
    if (error instanceof BenchConfigError) {
      console.error(`bench-gateway: ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
  mkdirSync(RUN_DIR, { recursive: true });
  const bench = new Bench(config);
  const stop = (): void => {
    void bench.tearDown().then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const started = new Date().toISOString();
  const host = machine();
  let runs: TargetRuns[];
  try {
    await bench.setUp();
    runs = await bench.run();
  } finally {
    await bench.tearDown();
  }
  const table = renderReport(runs, config.rates);
  const header = `Gateway benchmark, ${started}, ${String(host['cpus'])} × ${String(host['cpu'])}, load ${String(host['load_avg_at_start'])}; model ${config.model}, ${config.durationMs / 1000} s per rate`;
  console.log(`\n${header}\n\n${table}\n`);
  const stamp = started.replace(/[:.]/g, '-');
  writeFileSync(
    join(RUN_DIR, `report-${stamp}.json`),
    JSON.stringify(
      {
        started,
        machine: host,
        config: { ...config, targets: [...config.targets], engineKey: config.engineKey ? '[set]' : '' },
        runs,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(RUN_DIR, `report-${stamp}.txt`), `${header}\n\n${table}\n`);
  log(`report: ${join(RUN_DIR, `report-${stamp}.{json,txt}`)}`);
}

main().catch((error: unknown) => {
  console.error(`bench-gateway: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
