// A decision replica as a child process (the built service, apps/decision/dist/main.js),
// pointed at the bench's own topics and spool directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readNodeFlags } from '@modelgate/testing';

export const ROOT = resolve(__dirname, '..', '..', '..');
/** The built service; BENCH_DECISION_MAIN points at another build (an A/B of two versions). */
const MAIN = process.env['BENCH_DECISION_MAIN'] ?? join(ROOT, 'apps', 'decision', 'dist', 'main.js');

/** The V8 flags the service runs with in production (apps/decision/node-flags, beside dist/). */
function serviceNodeFlags(): string[] {
  return readNodeFlags(join(dirname(MAIN), '..', 'node-flags'));
}

export interface Replica {
  readonly http: string;
  readonly grpc: string;
  readonly process: ChildProcess;
  /** ms from spawn to /health/ready answering 200. */
  readonly readyMs: number;
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  /** CPU list for `taskset -c` (the process and all its threads stay on these CPUs). */
  readonly cpus?: string | undefined;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

export async function startReplica(
  name: string,
  port: number,
  grpcPort: number,
  env: Record<string, string>,
  options: ReplicaOptions = {},
): Promise<Replica> {
  const spool = join(ROOT, '.run', 'bench', 'decision', name);
  mkdirSync(spool, { recursive: true });
  const started = performance.now();
  const argv = [process.execPath, ...serviceNodeFlags(), ...(options.nodeArgs ?? []), MAIN];
  if (options.cpus) argv.unshift('taskset', '-c', options.cpus);
  const child = spawn(argv[0]!, argv.slice(1), {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      SPOOL_DIR: spool,
      REPLICA_ID: name,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const http = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`replica ${name} exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${http}/health/ready`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 120_000) throw new Error(`replica ${name} not ready in 120 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const readyMs = performance.now() - started;
  return {
    http,
    grpc: `127.0.0.1:${grpcPort}`,
    process: child,
    readyMs,
    stop: () =>
      new Promise((resolveStop) => {
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}
