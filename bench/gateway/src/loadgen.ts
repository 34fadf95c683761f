// The Go load generator (loadgen/, built by setup-peers.sh) as the Node side drives it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LoadResult } from './report';

export const ROOT = resolve(__dirname, '../../..');
export const LOADGEN_BIN = join(ROOT, '.run/tools/gateway-loadgen/loadgen');

/** One request as the generator sends it (see loadgen/main.go). */
export interface RequestSpec {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly stream: boolean;
  readonly expect_status: number;
  readonly expect_contains: string;
}

const PROMPT = 'Who may call which model from where, and when?';

/** The benchmarked chat request: small and non-streamed, or streamed for time to first token. */
export function chatRequest(
  model: string,
  authorization: string | null,
  stream: boolean,
  tokens: number,
): RequestSpec {
  return {
    method: 'POST',
    path: '/v1/chat/completions',
    headers: {
      'Content-Type': 'application/json',
      Accept: stream ? 'text/event-stream' : 'application/json',
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: PROMPT }],
      max_tokens: tokens,
      ...(stream ? { stream: true } : {}),
    }),
    stream,
    expect_status: 200,
    // The demo engine's answer, whatever the proxy did to the JSON around it.
    expect_contains: stream ? '[DONE]' : `${model} says:`,
  };
}

export function writeRequest(dir: string, name: string, spec: RequestSpec): string {
  const file = join(dir, `${name}.request.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

export interface LoadOptions {
  readonly addr: string;
  readonly requestFile: string;
  readonly mode: 'once' | 'closed' | 'open';
  readonly concurrency?: number;
  readonly rate?: number;
  readonly durationMs?: number;
  readonly warmupMs?: number;
  readonly cpus: string;
}

export interface OnceResult {
  status: number;
  body: string;
  error?: string;
  mismatch: boolean;
  latency_ms: number;
  ttft_ms?: number;
}

function exec(args: string[], cpus: string, timeoutMs: number): Promise<string> {
  const argv = cpus ? ['taskset', '-c', cpus, LOADGEN_BIN, ...args] : [LOADGEN_BIN, ...args];
  return new Promise((resolvePromise, reject) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      {
        maxBuffer: 16 * 1024 * 1024,
        timeout: timeoutMs,
        env: { ...process.env, GOMAXPROCS: process.env['BENCH_LOADGEN_GOMAXPROCS'] ?? '2' },
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`loadgen ${args.join(' ')}: ${error.message} ${stderr}`))
          : resolvePromise(stdout),
    );
  });
}

function argsOf(o: LoadOptions): string[] {
  const args = ['run', `-addr=${o.addr}`, `-request=${o.requestFile}`, `-mode=${o.mode}`];
  if (o.concurrency !== undefined) args.push(`-concurrency=${o.concurrency}`);
  if (o.rate !== undefined) args.push(`-rate=${o.rate}`);
  if (o.durationMs !== undefined) args.push(`-duration=${o.durationMs}ms`);
  if (o.warmupMs) args.push(`-warmup=${o.warmupMs}ms`);
  return args;
}

export async function once(o: Omit<LoadOptions, 'mode'>): Promise<OnceResult> {
  return JSON.parse(await exec(argsOf({ ...o, mode: 'once' }), o.cpus, 60_000)) as OnceResult;
}

export async function load(o: LoadOptions): Promise<LoadResult> {
  const timeout = (o.durationMs ?? 10_000) + (o.warmupMs ?? 0) + 60_000;
  return JSON.parse(await exec(argsOf(o), o.cpus, timeout)) as LoadResult;
}
