// The peers of the comparison as child processes: Cerbos (disk store of resource policies)
// and OPA (a Rego policy plus a data document), both from .run/tools/ (setup-peers.sh), both
// on loopback ports of their own, pinned to the same CPUs as the Modelgate replica.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cerbosPolicy, opaData, type AccessModel } from './equivalent';
import { ROOT } from './replica';

export const TOOLS = join(ROOT, '.run', 'tools');
export const CERBOS_BIN = join(TOOLS, 'cerbos', 'cerbos');
export const OPA_BIN = join(TOOLS, 'opa', 'opa');
export const LOADGEN_BIN = join(TOOLS, 'bench-loadgen', 'loadgen');
const REGO = join(__dirname, '..', 'opa', 'modelgate.rego');

export interface Peer {
  readonly name: string;
  readonly http: string; // host:port
  readonly grpc: string | null;
  readonly process: ChildProcess;
  readonly readyMs: number;
  stop(): Promise<void>;
}

export function peersInstalled(): string[] {
  return [CERBOS_BIN, OPA_BIN, LOADGEN_BIN].filter((bin) => !existsSync(bin));
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function launch(
  command: string,
  args: string[],
  cpus: string | undefined,
  cwd: string,
  env: NodeJS.ProcessEnv,
) {
  const argv = cpus ? ['taskset', '-c', cpus, command, ...args] : [command, ...args];
  return spawn(argv[0]!, argv.slice(1), {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function waitHealthy(
  name: string,
  child: ChildProcess,
  url: string,
  started: number,
  stderr: () => string,
  timeoutMs: number,
) {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${name} exited with ${child.exitCode}: ${stderr().slice(-2000)}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${name} not healthy in ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (c: Buffer) => {
    text = (text + c.toString()).slice(-20_000);
  });
  return () => text;
}

/** Writes one resource policy per model into `dir` and serves them with `cerbos server`. */
export async function startCerbos(
  model: AccessModel,
  dir: string,
  cpus: string | undefined,
  timeoutMs = 180_000,
): Promise<Peer> {
  const policies = join(dir, 'policies');
  rmSync(policies, { recursive: true, force: true });
  mkdirSync(policies, { recursive: true });
  for (const name of model.models)
    writeFileSync(join(policies, `${name}.json`), JSON.stringify(cerbosPolicy(model, name)));
  const [http, grpc] = [await freePort(), await freePort()];
  const config = join(dir, 'cerbos.yaml');
  writeFileSync(
    config,
    [
      'server:',
      `  httpListenAddr: "127.0.0.1:${http}"`,
      `  grpcListenAddr: "127.0.0.1:${grpc}"`,
      'engine:',
      '  defaultPolicyVersion: "default"',
      'storage:',
      '  driver: "disk"',
      '  disk:',
      `    directory: "${policies}"`,
      '    watchForChanges: false',
      'audit:',
      '  enabled: false',
      'telemetry:',
      '  disabled: true',
      '',
    ].join('\n'),
  );
  const started = performance.now();
  const child = launch(CERBOS_BIN, ['server', `--config=${config}`, '--log-level=warn'], cpus, dir, {
    CERBOS_NO_TELEMETRY: '1',
  });
  const stderr = collect(child);
  const readyMs = await waitHealthy(
    'cerbos',
    child,
    `http://127.0.0.1:${http}/_cerbos/health`,
    started,
    stderr,
    timeoutMs,
  );
  return {
    name: 'cerbos',
    http: `127.0.0.1:${http}`,
    grpc: `127.0.0.1:${grpc}`,
    process: child,
    readyMs,
    stop: stopper(child),
  };
}

/** Writes the data document into `dir` and serves it with the Rego policy by `opa run --server`. */
export async function startOpa(
  model: AccessModel,
  dir: string,
  cpus: string | undefined,
  timeoutMs = 180_000,
): Promise<Peer> {
  mkdirSync(dir, { recursive: true });
  const data = join(dir, 'data.json');
  writeFileSync(data, JSON.stringify(opaData(model)));
  const http = await freePort();
  const started = performance.now();
  const child = launch(
    OPA_BIN,
    [
      'run',
      '--server',
      `--addr=127.0.0.1:${http}`,
      '--log-level=error',
      '--skip-version-check',
      // the compiled policy and data are all in memory; keep the defaults otherwise
      REGO,
      data,
    ],
    cpus,
    dir,
    {},
  );
  const stderr = collect(child);
  // /health answers 200 once the bundle/files are loaded and activated.
  const readyMs = await waitHealthy(
    'opa',
    child,
    `http://127.0.0.1:${http}/health`,
    started,
    stderr,
    timeoutMs,
  );
  return {
    name: 'opa',
    http: `127.0.0.1:${http}`,
    grpc: null,
    process: child,
    readyMs,
    stop: stopper(child),
  };
}
