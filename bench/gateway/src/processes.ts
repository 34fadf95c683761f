// Child processes the bench starts (the proxies, and the demo engine when none runs), and
// the CPU time of a process tree as /proc tells it.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  stop(): Promise<void>;
}

export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  options: { logFile: string; cpus?: string; env?: NodeJS.ProcessEnv; cwd?: string },
): Child {
  const argv = options.cpus ? ['taskset', '-c', options.cpus, command, ...args] : [command, ...args];
  const log = openSync(options.logFile, 'a');
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', log, log],
    env: options.env ?? process.env,
    cwd: options.cwd,
    // Its own process group, so stop() reaches workers it forks (uvicorn, nginx).
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    process: child,
    logFile: options.logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `url` answers with a status below 500; rejects after `timeoutMs` or when `child` exits. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  child?: Child,
  headers?: Record<string, string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.process.exitCode !== null || child.process.signalCode !== null)) {
      throw new Error(`${child.name} exited during start-up (see ${child.logFile})`);
    }
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} not ready after ${timeoutMs} ms${child ? ` (see ${child.logFile})` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The pid and every descendant of it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** User + system CPU seconds of these processes (utime and stime, USER_HZ = 100). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

/** Socket inodes listening on `port` (any address, IPv4 or IPv6), from /proc/net/tcp{,6}. */
function listeningInodes(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth column.
      if (f.length > 9 && f[1]!.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  return inodes;
}

/**
 * The process listening on `port`, found by its socket: a dev-stack pid file goes stale when
 * a service is restarted by hand, and tests run copies of the services on other ports.
 */
export function pidListeningOn(port: number): number | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

/**
 * Seconds the main threads of these processes (a Node event loop, a nginx worker, a uvicorn
 * worker) spent runnable but waiting for a CPU (schedstat run_delay): on a shared machine,
 * what tells "slow because busy" from "slow because starved".
 */
export function runQueueWaitSeconds(pids: readonly number[]): number {
  let ns = 0;
  for (const pid of pids) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ')[1]);
    } catch {
      // gone
    }
  }
  return ns / 1e9;
}
