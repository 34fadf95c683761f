// Summarises a V8 CPU profile (node --cpu-prof) of the decision service: the top functions
// by self time and by inclusive time, and self time by package, each in % of the samples
// taken while not idle.
//   node dist/profile-summary.js <file.cpuprofile> [top=30] [skip-ms=0]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './replica';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const pnpm = path.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/);
  if (pnpm) return `${pnpm[1]}/${pnpm[2]}`;
  return path.startsWith('/') ? relative(ROOT, path) : path;
}

/** The owner of a frame for the "charged" view: a package, or a file of our own apps. */
function owner(url: string): string | null {
  if (!url) return null;
  const path = url.replace(/^file:\/\//, '');
  const pnpm = path.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (pnpm) return pnpm[1]!;
  const rel = relative(ROOT, path);
  const app = rel.match(/^apps\/([^/]+)\/dist\/(.*)\.js$/);
  if (app) return `apps/${app[1]}/${app[2]}`;
  const lib = rel.match(/^libs\/([^/]+)\//);
  if (lib) return `libs/${lib[1]}`;
  return null; // node core, native
}

function bucket(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native/V8 builtins)';
  const path = url.replace(/^file:\/\//, '');
  const pnpm = path.match(/node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (pnpm) return pnpm[1]!;
  const own = relative(ROOT, path).match(/^(apps|libs)\/([^/]+)\//);
  if (own) return `${own[1]}/${own[2]}`;
  if (path.startsWith('node:')) return 'node: (core)';
  return path;
}

/** `skipMs`: samples of the first milliseconds (start-up, policy load) are left out. */
export function summarise(file: string, top = 30, skipMs = 0): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  if (skipMs > 0) {
    let t = 0;
    let first = 0;
    while (first < profile.samples.length && t < skipMs * 1000) t += profile.timeDeltas[first++]!;
    profile.samples = profile.samples.slice(first);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  const idle = profile.nodes
    .filter((n) => n.callFrame.functionName === '(idle)')
    .reduce((a, n) => a + (self.get(n.id) ?? 0), 0);
  const busy = profile.samples.length - idle;
  const key = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'}  ${where(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const selfBy = new Map<string, number>();
  const pkgBy = new Map<string, number>();
  const inclusiveBy = new Map<string, number>();
  const chargedBy = new Map<string, number>();
  // inclusive: every function on the stack of a sample counts it once
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackKeys = new Map<number, Set<string>>();
  const keysOf = (id: number): Set<string> => {
    let s = stackKeys.get(id);
    if (s) return s;
    const p = parent.get(id);
    s = new Set(p === undefined ? [] : keysOf(p));
    s.add(key(byId.get(id)!));
    stackKeys.set(id, s);
    return s;
  };
  for (const [id, count] of self) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    selfBy.set(key(n), (selfBy.get(key(n)) ?? 0) + count);
    const b = bucket(n.callFrame.url, n.callFrame.functionName);
    pkgBy.set(b, (pkgBy.get(b) ?? 0) + count);
    for (const k of keysOf(id)) inclusiveBy.set(k, (inclusiveBy.get(k) ?? 0) + count);
    // charged: node core and native time go to the nearest caller that is a package or ours
    let at: number | undefined = id;
    let charged: string | null = null;
    while (at !== undefined && charged === null) {
      charged = owner(byId.get(at)!.callFrame.url);
      at = parent.get(at);
    }
    const c = charged ?? b;
    chargedBy.set(c, (chargedBy.get(c) ?? 0) + count);
  }
  const pct = (v: number) => `${((v / busy) * 100).toFixed(1).padStart(5)} %`;
  const list = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `  ${pct(v)}  ${k}`);
  return [
    `${file}: ${profile.samples.length} samples${skipMs > 0 ? ` after the first ${Math.round(skipMs)} ms` : ''}, ${busy} not idle (${((busy / profile.samples.length) * 100).toFixed(0)} %)`,
    'self time by package:',
    ...list(pkgBy, 20),
    'self time charged to the nearest package or own file (node core / native time goes to its caller):',
    ...list(chargedBy, 25),
    'top functions by self time:',
    ...list(selfBy, top),
    'top functions by inclusive time:',
    ...list(
      new Map([...inclusiveBy].filter(([k]) => !k.startsWith('(root)') && !k.startsWith('(program)'))),
      top,
    ),
  ].join('\n');
}

if (require.main === module) {
  const [file, top, skip] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/profile-summary.js <file.cpuprofile> [top] [skip-ms]');
    process.exit(2);
  }
  console.log(summarise(file, top ? Number(top) : 30, skip ? Number(skip) : 0));
}
