// The Go load generator (loadgen/, built by setup-peers.sh) as the Node side drives it, and
// the CPU time of a target process as /proc tells it.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { LOADGEN_BIN } from './peers';

export type TargetName = 'modelgate' | 'cerbos' | 'opa';
export type Transport = 'grpc' | 'http';

export interface Endpoint {
  readonly target: TargetName;
  readonly transport: Transport;
  readonly addr: string;
  readonly pid: number;
}

export interface RunResult {
  target: string;
  transport: string;
  mode: 'closed' | 'open';
  concurrency: number;
  rate_asked?: number;
  seconds: number;
  completed: number;
  rps: number;
  errors: number;
  first_error?: string;
  mismatches: number;
  dropped?: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  pacer_lag_p99_ms?: number;
  generator_cpu_s: number;
  /** Added here: the target's CPU use over the run, in % of one core. */
  target_cpu_pct?: number;
  /** Added here: CPU used by the local Kafka broker (Modelgate's decision records land there), % of one core. */
  kafka_cpu_pct?: number;
  /** Added here: CPU used by everything else on the machine (other users' jobs), % of one core. */
  other_cpu_pct?: number;
  /** Added here: time the target's threads waited for a CPU while runnable, % of the run (starvation). */
  target_wait_pct?: number;
  /** Added here: the 1-minute load average when the run started. */
  load_avg_1m?: number;
}

function loadgen(args: string[], cpus: string | undefined, timeoutMs: number): Promise<string> {
  const argv = cpus ? ['taskset', '-c', cpus, LOADGEN_BIN, ...args] : [LOADGEN_BIN, ...args];
  return new Promise((resolve, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      {
        maxBuffer: 64 * 1024 * 1024,
        timeout: timeoutMs,
        env: { ...process.env, GOMAXPROCS: process.env['BENCH_LOADGEN_GOMAXPROCS'] ?? '4' },
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`loadgen ${args.join(' ')}: ${error.message} ${stderr}`)) : resolve(stdout),
    );
  });
}

export async function verify(e: Endpoint, checksFile: string, cpus: string | undefined) {
  const out = await loadgen(
    [
      'verify',
      `-target=${e.target}`,
      `-transport=${e.transport}`,
      `-addr=${e.addr}`,
      `-checks=${checksFile}`,
    ],
    cpus,
    120_000,
  );
  return JSON.parse(out) as { answers: boolean[]; errors: number; first_error?: string };
}

/** Busy CPU seconds of the whole machine (all CPUs; idle and iowait excluded). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = line as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (user + nice + system + irq + softirq + steal) / 100;
}

let broker: number | null | undefined;
/** The pid of the local Kafka broker (the JVM running kafka.Kafka), if there is one. */
export function kafkaBrokerPid(): number | null {
  if (broker !== undefined) return broker;
  broker = null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes('kafka.Kafka')) {
        broker = Number(entry);
        break;
      }
    } catch {
      // gone
    }
  }
  return broker;
}

/** Seconds the threads of a process spent runnable but waiting for a CPU (schedstat run_delay). */
export function runQueueWaitSeconds(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ');
      ns += Number(fields[1]);
    }
    return ns / 1e9;
  } catch {
    return Number.NaN;
  }
}

/** User + system CPU seconds of a process (all its threads). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

export interface RunOptions {
  readonly checksFile: string;
  readonly cpus: string | undefined;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs?: number;
  /** open loop at this rate; closed loop when absent */
  readonly rate?: number;
}

export async function run(e: Endpoint, o: RunOptions): Promise<RunResult> {
  const args = [
    'run',
    `-target=${e.target}`,
    `-transport=${e.transport}`,
    `-addr=${e.addr}`,
    `-checks=${o.checksFile}`,
    `-concurrency=${o.concurrency}`,
    `-duration=${o.durationMs}ms`,
    `-warmup=${o.warmupMs ?? 0}ms`,
    ...(o.rate === undefined ? ['-mode=closed'] : ['-mode=open', `-rate=${o.rate}`]),
  ];
  // The warm-up is not part of the measured window: sample the target's CPU around the
  // whole run, and subtract the warm-up's share proportionally (the closed loop keeps the
  // target busy throughout, so the share is even).
  const cpu0 = cpuSeconds(e.pid);
  const busy0 = machineBusySeconds();
  const wait0 = runQueueWaitSeconds(e.pid);
  const kafka = kafkaBrokerPid();
  const kafka0 = kafka === null ? 0 : cpuSeconds(kafka);
  const t0 = performance.now();
  const result = JSON.parse(
    await loadgen(args, o.cpus, o.durationMs + (o.warmupMs ?? 0) + 60_000),
  ) as RunResult;
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(e.pid) - cpu0;
  const busy = machineBusySeconds() - busy0;
  result.target_cpu_pct = Math.round((cpu / wall) * 100);
  result.target_wait_pct = Math.round(((runQueueWaitSeconds(e.pid) - wait0) / wall) * 100);
  const kafkaCpu = kafka === null ? 0 : cpuSeconds(kafka) - kafka0;
  if (kafka !== null) result.kafka_cpu_pct = Math.round((kafkaCpu / wall) * 100);
  result.other_cpu_pct = Math.max(
    0,
    Math.round(((busy - cpu - kafkaCpu - result.generator_cpu_s) / wall) * 100),
  );
  return result;
}
