// The benchmark's knobs, from the environment; a bad value stops the run naming the variable.

export interface BenchConfig {
  /** The engine every target ends at (the dev stack's demo engine, or one the bench starts). */
  readonly engineUrl: string;
  /** Modelgate's gateway (`./dev up`); the target is skipped when it does not answer. */
  readonly gatewayUrl: string;
  readonly model: string;
  /** The key the engine wants (`DEMO_API_KEY` of the dev stack's demo engine); "" for none. */
  readonly engineKey: string;
  readonly nginxPort: number;
  readonly litellmPort: number;
  /** Open-loop rates (requests/s), each run for `durationMs` against every target. */
  readonly rates: readonly number[];
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Connections of the open loop (enough that none waits for a free one at the top rate). */
  readonly openConnections: number;
  /** Connections of the closed loop (max throughput). */
  readonly closedConnections: number;
  readonly closedDurationMs: number;
  /** Streams per second for the time-to-first-token runs, and their length. */
  readonly streamRate: number;
  readonly streamDurationMs: number;
  readonly streamTokens: number;
  /** Which targets to run (direct is always run: it is the baseline). */
  readonly targets: ReadonlySet<TargetName>;
  readonly nginxWorkers: number;
  readonly litellmWorkers: number;
  /** CPU lists for `taskset -c`: the load generator, and the proxies the bench starts; "" for none. */
  readonly loadgenCpus: string;
  readonly peerCpus: string;
}

export const TARGETS = ['direct', 'nginx', 'litellm', 'modelgate'] as const;
export type TargetName = (typeof TARGETS)[number];

export class BenchConfigError extends Error {
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'BenchConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v.trim();
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name, String(fallback));
  if (!/^\d+$/.test(raw)) throw new BenchConfigError(name, `expected a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new BenchConfigError(name, `expected ${min} to ${max}, got ${n}`);
  return n;
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const raw = text(env, name, fallback).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BenchConfigError(name, `expected an http:// URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:') throw new BenchConfigError(name, `expected an http:// URL, got "${raw}"`);
  if (url.pathname !== '/' && url.pathname !== '')
    throw new BenchConfigError(name, `expected a base URL without a path, got "${raw}"`);
  return `${url.protocol}//${url.host}`;
}

function cpuList(env: Env, name: string, fallback: string): string {
  const raw = env[name] ?? fallback;
  if (raw !== '' && !/^\d+([-,]\d+)*$/.test(raw))
    throw new BenchConfigError(name, `expected a CPU list (0, 1-3, 0,2) or "", got "${raw}"`);
  return raw;
}

export function loadBenchConfig(env: Env = process.env): BenchConfig {
  const rates = text(env, 'BENCH_RATES', '100,500,1000')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (!/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 100_000)
        throw new BenchConfigError(
          'BENCH_RATES',
          `expected comma-separated rates from 1 to 100000, got "${s}"`,
        );
      return Number(s);
    });
  const targets = new Set<TargetName>(['direct']);
  for (const name of text(env, 'BENCH_TARGETS', TARGETS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!(TARGETS as readonly string[]).includes(name))
      throw new BenchConfigError(
        'BENCH_TARGETS',
        `expected names among ${TARGETS.join(', ')}, got "${name}"`,
      );
    targets.add(name as TargetName);
  }
  const model = text(env, 'BENCH_MODEL', 'qwen3-7b-chat');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(model))
    throw new BenchConfigError('BENCH_MODEL', `expected a model id, got "${model}"`);
  return {
    engineUrl: httpUrl(env, 'BENCH_ENGINE_URL', 'http://127.0.0.1:8000'),
    gatewayUrl: httpUrl(env, 'GATEWAY_URL', 'http://127.0.0.1:8080'),
    model,
    // The dev stack's default (scripts/dev-stack.env), so `./dev up` then `./dev bench gateway` just works.
    engineKey: env['BENCH_ENGINE_KEY'] ?? env['DEMO_ENGINE_KEY'] ?? 'demo-engine-key',
    nginxPort: int(env, 'BENCH_NGINX_PORT', 18081, 1, 65535),
    litellmPort: int(env, 'BENCH_LITELLM_PORT', 18082, 1, 65535),
    rates,
    durationMs: int(env, 'BENCH_DURATION_MS', 20_000, 1000, 600_000),
    warmupMs: int(env, 'BENCH_WARMUP_MS', 2000, 0, 60_000),
    openConnections: int(env, 'BENCH_OPEN_CONNECTIONS', 64, 1, 4096),
    closedConnections: int(env, 'BENCH_CONCURRENCY', 32, 1, 4096),
    closedDurationMs: int(env, 'BENCH_MAX_DURATION_MS', 10_000, 1000, 600_000),
    streamRate: int(env, 'BENCH_STREAM_RATE', 100, 1, 10_000),
    streamDurationMs: int(env, 'BENCH_STREAM_DURATION_MS', 10_000, 1000, 600_000),
    streamTokens: int(env, 'BENCH_STREAM_TOKENS', 16, 1, 100_000),
    targets,
    nginxWorkers: int(env, 'BENCH_NGINX_WORKERS', 1, 1, 64),
    // Both cores: LiteLLM is one Python process per worker, and Modelgate runs four processes.
    litellmWorkers: int(env, 'BENCH_LITELLM_WORKERS', 2, 1, 64),
    loadgenCpus: cpuList(env, 'BENCH_LOADGEN_CPUS', ''),
    peerCpus: cpuList(env, 'BENCH_PEER_CPUS', ''),
  };
}
