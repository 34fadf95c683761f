// The side-by-side run (issue #6 part 5): Modelgate over gRPC and REST, Cerbos over gRPC and
// REST, OPA over REST, each serving the same generated access model, measured by the same
// load generator with the same concurrency, one endpoint at a time (the others idle):
//   max checks/s: closed loop, `concurrency` callers back to back, best of `rounds` rounds
//     run interleaved across the endpoints (each after a warm-up);
//   latency: open loop at 50 % of that endpoint's own max, from the intended send times;
//   same load: Modelgate again at Cerbos's 50 % rate over the same transport.
// Every target runs pinned to `targetCpus` and the generator to `loadgenCpus`.
// Before any timing, the first `sample` checks go to every endpoint; every answer must equal
// the reference evaluator's, else the peers are not timed (Modelgate still is).
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { generateChecks, generateModel, modelgateDocuments, type NeutralCheck } from './equivalent';
import { run, verify, type Endpoint, type RunResult, type Transport } from './loadgen';
import { startCerbos, startOpa, type Peer } from './peers';
import { ROOT, startReplica, type Replica } from './replica';
import { median } from './stats';

export interface CompareContext {
  readonly topics: (tag: string) => Promise<Record<string, string>>;
  readonly publishDocuments: (
    topic: string,
    documents: ReturnType<typeof modelgateDocuments>,
  ) => Promise<void>;
  readonly nextPorts: () => Promise<readonly [number, number]>;
  readonly targetCpus: string | undefined;
  readonly loadgenCpus: string | undefined;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** closed-loop rounds per endpoint (interleaved); the best is the max */
  readonly rounds: number;
  /** open-loop pairs (Modelgate, Cerbos) at Cerbos's half-max rate, per transport */
  readonly sameLoadRounds: number;
  readonly checks: number;
  readonly sample: number;
  /** the peers to start beside Modelgate (none: Modelgate alone) */
  readonly peers: readonly ('cerbos' | 'opa')[];
  /** a peer left out on purpose, and why (printed in the table) */
  readonly skipped?: Readonly<Partial<Record<'cerbos' | 'opa', string>>>;
  /** how long a peer may take to become healthy */
  readonly peerStartTimeoutMs?: number;
  /** node flags for the Modelgate replica (e.g. --cpu-prof) */
  readonly nodeArgs: readonly string[];
  /** Modelgate transports to time (default both) */
  readonly transports?: readonly Transport[];
}

export interface Row {
  target: string;
  transport: string;
  rules: number;
  max_checks_per_s: number;
  at_half_max: {
    rate: number;
    p50_ms: number;
    p99_ms: number;
    errors: number;
    pacer_lag_p99_ms: number | undefined;
  };
  /** rps of every closed-loop round (the max is the best) */
  max_rounds: Closed['rounds'];
  /** max checks/s per second of the target's own CPU time (robust to other load on the machine) */
  checks_per_cpu_s: number | undefined;
  /**
   * Modelgate only: Modelgate and Cerbos at Cerbos's half-max rate over the same transport,
   * in `sameLoadRounds` interleaved pairs of open-loop runs; p50/p99 are the medians.
   */
  at_cerbos_rate?: {
    rate: number;
    p50_ms: number;
    p99_ms: number;
    cerbos_p50_ms: number;
    cerbos_p99_ms: number;
    rounds: { modelgate_p99_ms: number; cerbos_p99_ms: number }[];
  };
  target_cpu_pct_at_max: number | undefined;
  /** everything else on the machine during the closed loop (other users' jobs, Kafka, ...) */
  other_cpu_pct_at_max: number | undefined;
  generator_cpu_pct_at_max: number;
  mismatches: number;
  errors: number;
  load_avg_1m: number;
  closed: RunResult;
  open: RunResult;
}

export interface SizeResult {
  label: string;
  models: number;
  rules: number;
  startup_ms: Record<string, number>;
  equivalence: {
    sample: number;
    agree_all: number;
    by_endpoint: Record<string, { agree: number; errors: number; first_error?: string }>;
    allow_in_sample: number;
    ok: boolean;
  };
  rows: Row[];
  skipped: Readonly<Partial<Record<'cerbos' | 'opa', string>>>;
}

const OUT = join(ROOT, '.run', 'bench');
const label = (e: Endpoint) => `${e.target}/${e.transport === 'http' ? 'rest' : 'grpc'}`;

/** The closed-loop rounds of one endpoint: the best is its max; all are kept in the report. */
interface Closed {
  best: RunResult;
  errors: number;
  mismatches: number;
  rounds: {
    rps: number;
    target_cpu_pct: number | undefined;
    target_wait_pct: number | undefined;
    other_cpu_pct: number | undefined;
    load_avg_1m: number;
  }[];
}

/** One load generator run with the context's load, noting the load average it started under. */
async function runNoting(
  e: Endpoint,
  ctx: CompareContext,
  checksFile: string,
  loop: { warmupMs: number } | { rate: number },
): Promise<RunResult & { load_avg_1m: number }> {
  const load = Math.round(loadavg()[0]! * 100) / 100;
  const r = await run(e, {
    checksFile,
    cpus: ctx.loadgenCpus,
    concurrency: ctx.concurrency,
    durationMs: ctx.durationMs,
    ...loop,
  });
  return Object.assign(r, { load_avg_1m: load });
}

async function closedRound(
  e: Endpoint,
  ctx: CompareContext,
  checksFile: string,
  into: Map<Endpoint, Closed>,
) {
  const r = await runNoting(e, ctx, checksFile, { warmupMs: ctx.warmupMs });
  const load = r.load_avg_1m;
  const c = into.get(e) ?? { best: r, rounds: [], errors: 0, mismatches: 0 };
  c.errors += r.errors;
  c.mismatches += r.mismatches;
  c.rounds.push({
    rps: Math.round(r.rps),
    target_cpu_pct: r.target_cpu_pct,
    target_wait_pct: r.target_wait_pct,
    other_cpu_pct: r.other_cpu_pct,
    load_avg_1m: load,
  });
  if (r.rps > c.best.rps) c.best = r;
  into.set(e, c);
  console.log(
    `  ${label(e)}: closed ${Math.round(r.rps)}/s (cpu: target ~${r.target_cpu_pct}% + waiting for a cpu ~${r.target_wait_pct}%, generator ~${Math.round((r.generator_cpu_s / (r.seconds + ctx.warmupMs / 1000)) * 100)}%, kafka ~${r.kafka_cpu_pct ?? '-'}%, others ~${r.other_cpu_pct}%; load ${load})` +
      (r.errors || r.mismatches
        ? `; errors ${r.errors}, mismatches ${r.mismatches} ${r.first_error ?? ''}`
        : ''),
  );
}

async function openRun(
  e: Endpoint,
  ctx: CompareContext,
  checksFile: string,
  rate: number,
): Promise<RunResult> {
  const r = await runNoting(e, ctx, checksFile, { rate });
  const load = r.load_avg_1m;
  console.log(
    `  ${label(e)}: open at ${rate}/s p50 ${r.p50_ms} ms p99 ${r.p99_ms} ms (cpu: target ~${r.target_cpu_pct}%, others ~${r.other_cpu_pct}%; pacer lag p99 ${r.pacer_lag_p99_ms} ms; load ${load})` +
      (r.errors || r.mismatches
        ? `; errors ${r.errors}, mismatches ${r.mismatches} ${r.first_error ?? ''}`
        : ''),
  );
  return r;
}

function rowOf(e: Endpoint, rules: number, c: Closed, open: RunResult, ctx: CompareContext): Row {
  const closed = c.best;
  return {
    target: e.target,
    transport: e.transport === 'http' ? 'REST' : 'gRPC',
    rules,
    max_checks_per_s: Math.round(closed.rps),
    max_rounds: c.rounds,
    checks_per_cpu_s:
      closed.target_cpu_pct === undefined || closed.target_cpu_pct <= 0
        ? undefined
        : Math.round(closed.rps / (closed.target_cpu_pct / 100)),
    at_half_max: {
      rate: open.rate_asked ?? 0,
      p50_ms: open.p50_ms,
      p99_ms: open.p99_ms,
      errors: open.errors,
      pacer_lag_p99_ms: open.pacer_lag_p99_ms,
    },
    target_cpu_pct_at_max: closed.target_cpu_pct,
    other_cpu_pct_at_max: closed.other_cpu_pct,
    generator_cpu_pct_at_max: Math.round(
      (closed.generator_cpu_s / (closed.seconds + ctx.warmupMs / 1000)) * 100,
    ),
    mismatches: c.mismatches + open.mismatches,
    errors: c.errors + open.errors,
    load_avg_1m: closed.load_avg_1m ?? 0,
    closed,
    open,
  };
}

export async function compareSize(
  tag: string,
  models: number,
  rulesPerModel: number,
  ctx: CompareContext,
): Promise<SizeResult> {
  const model = generateModel(models, rulesPerModel);
  const checks = generateChecks(model, ctx.checks);
  const dir = join(OUT, 'decision', `compare-${tag}`);
  mkdirSync(dir, { recursive: true });
  const checksFile = join(dir, 'checks.json');
  const sampleFile = join(dir, 'sample.json');
  const sample: NeutralCheck[] = checks.slice(0, ctx.sample);
  writeFileSync(checksFile, JSON.stringify({ checks }));
  writeFileSync(sampleFile, JSON.stringify({ checks: sample }));
  console.log(
    `${tag}: ${model.ruleCount} rules over ${models} models; ${checks.length} checks (${checks.filter((c) => c.expect).length} allowed by the reference)`,
  );

  const startup: Record<string, number> = {};
  // Modelgate: the documents on fresh topics, one replica pinned like the peers.
  const t = await ctx.topics(`cmp-${tag}`);
  await ctx.publishDocuments(t['POLICY_STATE_TOPIC']!, modelgateDocuments(model));
  const [http, grpc] = await ctx.nextPorts();
  let replica: Replica | null = await startReplica(`cmp-${tag}`, http, grpc, t, {
    cpus: ctx.targetCpus,
    nodeArgs: ctx.nodeArgs,
  });
  startup['modelgate'] = Math.round(replica.readyMs);
  const mg = (transport: Transport): Endpoint => ({
    target: 'modelgate',
    transport,
    addr: transport === 'grpc' ? replica!.grpc : replica!.http.replace('http://', ''),
    pid: replica!.process.pid!,
  });
  const endpoints: Endpoint[] = (ctx.transports ?? (['grpc', 'http'] as const)).map(mg);
  const peers: Peer[] = [];
  try {
    if (ctx.peers.includes('cerbos')) {
      const cerbos = await startCerbos(
        model,
        join(OUT, 'cerbos', tag),
        ctx.targetCpus,
        ctx.peerStartTimeoutMs,
      );
      peers.push(cerbos);
      startup['cerbos'] = Math.round(cerbos.readyMs);
      endpoints.push(
        { target: 'cerbos', transport: 'grpc', addr: cerbos.grpc!, pid: cerbos.process.pid! },
        { target: 'cerbos', transport: 'http', addr: cerbos.http, pid: cerbos.process.pid! },
      );
    }
    if (ctx.peers.includes('opa')) {
      const opa = await startOpa(model, join(OUT, 'opa', tag), ctx.targetCpus, ctx.peerStartTimeoutMs);
      peers.push(opa);
      startup['opa'] = Math.round(opa.readyMs);
      endpoints.push({ target: 'opa', transport: 'http', addr: opa.http, pid: opa.process.pid! });
    }
    console.log(
      `  ready: ${Object.entries(startup)
        .map(([k, v]) => `${k} ${v} ms`)
        .join(', ')}`,
    );

    // Equivalence, before any timing.
    const byEndpoint: SizeResult['equivalence']['by_endpoint'] = {};
    const agreeing = sample.map(() => true);
    for (const e of endpoints) {
      const v = await verify(e, sampleFile, ctx.loadgenCpus);
      let agree = 0;
      v.answers.forEach((a, i) => {
        if (a === sample[i]!.expect) agree++;
        else agreeing[i] = false;
      });
      byEndpoint[label(e)] = {
        agree,
        errors: v.errors,
        ...(v.first_error ? { first_error: v.first_error } : {}),
      };
      if (agree !== sample.length || v.errors > 0) {
        const bad = v.answers
          .map((a, i) => (a === sample[i]!.expect ? -1 : i))
          .filter((i) => i >= 0)
          .slice(0, 3);
        for (const i of bad)
          console.log(
            `    ${label(e)} disagrees on #${i}: answered ${v.answers[i]}, reference ${sample[i]!.expect}: ${JSON.stringify(sample[i])}`,
          );
      }
    }
    const agreeAll = agreeing.filter(Boolean).length;
    const ok = Object.values(byEndpoint).every((b) => b.agree === sample.length && b.errors === 0);
    const equivalence = {
      sample: sample.length,
      agree_all: agreeAll,
      by_endpoint: byEndpoint,
      allow_in_sample: sample.filter((c) => c.expect).length,
      ok,
    };
    console.log(
      `  equivalence: ${agreeAll}/${sample.length} checks answered alike by all ${endpoints.length} endpoints and the reference ` +
        `(${equivalence.allow_in_sample} allow, ${sample.length - equivalence.allow_in_sample} deny)` +
        (ok ? '' : ` — DISAGREEMENT: ${JSON.stringify(byEndpoint)}; peers not timed`),
    );

    const rules = model.ruleCount;
    // Peers are timed only when they answer as the reference does; Modelgate is timed anyway.
    const timed = ok ? endpoints : endpoints.filter((e) => e.target === 'modelgate');
    // Closed-loop rounds, interleaved (each round in a rotated order) so that a burst of other
    // work on the machine does not fall on one target only; the best round is the max.
    const closed = new Map<Endpoint, Closed>();
    for (let round = 0; round < ctx.rounds; round++) {
      const order = timed.map((_, i) => timed[(i + round) % timed.length]!);
      for (const e of order) await closedRound(e, ctx, checksFile, closed);
    }
    const rows: Row[] = [];
    const half: Partial<Record<Transport, number>> = {};
    for (const e of timed) {
      const c = closed.get(e)!;
      const rate = Math.max(1, Math.floor(c.best.rps / 2));
      const row = rowOf(e, rules, c, await openRun(e, ctx, checksFile, rate), ctx);
      if (e.target === 'cerbos') half[e.transport] = rate;
      rows.push(row);
    }
    // The same offered load: Modelgate and Cerbos at Cerbos's half-max rate over the same
    // transport, alternating, so that a burst of other work falls on both alike; the
    // tail of one 5 s run on two shared cores moves a lot from run to run, hence medians.
    for (const row of rows.filter((r) => r.target === 'modelgate')) {
      const transport: Transport = row.transport === 'REST' ? 'http' : 'grpc';
      const peerRate = half[transport];
      const ours = timed.find((x) => x.target === 'modelgate' && x.transport === transport);
      const theirs = timed.find((x) => x.target === 'cerbos' && x.transport === transport);
      if (peerRate === undefined || !ours || !theirs) continue;
      const pairs: { mg: RunResult; cerbos: RunResult }[] = [];
      for (let round = 0; round < ctx.sameLoadRounds; round++) {
        const mg = await openRun(ours, ctx, checksFile, peerRate);
        const cerbos = await openRun(theirs, ctx, checksFile, peerRate);
        pairs.push({ mg, cerbos });
        row.errors += mg.errors;
        row.mismatches += mg.mismatches;
      }
      row.at_cerbos_rate = {
        rate: peerRate,
        p50_ms: median(pairs.map((p) => p.mg.p50_ms)),
        p99_ms: median(pairs.map((p) => p.mg.p99_ms)),
        cerbos_p50_ms: median(pairs.map((p) => p.cerbos.p50_ms)),
        cerbos_p99_ms: median(pairs.map((p) => p.cerbos.p99_ms)),
        rounds: pairs.map((p) => ({ modelgate_p99_ms: p.mg.p99_ms, cerbos_p99_ms: p.cerbos.p99_ms })),
      };
    }
    // Modelgate last in the table, as in the issue: the peers, then ours.
    rows.sort((a, b) => Number(a.target === 'modelgate') - Number(b.target === 'modelgate'));
    await replica.stop();
    replica = null;
    return { label: tag, models, rules, startup_ms: startup, equivalence, rows, skipped: ctx.skipped ?? {} };
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    if (replica) await replica.stop();
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const num = (n: number) => n.toLocaleString('en-US');

export function table(results: SizeResult[]): string {
  const head = [
    'target',
    'transport',
    'rules',
    'max checks/s',
    'rate (50%)',
    'p50 ms',
    'p99 ms',
    'target CPU',
    'CPU wait',
    'checks/CPU-s',
    'Kafka CPU',
    'others CPU',
    'load 1m',
  ];
  const widths = [10, 9, 8, 13, 11, 8, 8, 11, 9, 13, 10, 11, 8];
  const lines = [head.map((h, i) => (i < 2 ? pad(h, widths[i]!) : lpad(h, widths[i]!))).join(' ')];
  lines.push(widths.map((w) => '-'.repeat(w)).join(' '));
  for (const r of results) {
    for (const row of r.rows) {
      const cells = [
        row.target,
        row.transport,
        num(row.rules),
        num(row.max_checks_per_s),
        num(row.at_half_max.rate),
        row.at_half_max.p50_ms.toFixed(2),
        row.at_half_max.p99_ms.toFixed(2),
        row.target_cpu_pct_at_max === undefined ? '?' : `${row.target_cpu_pct_at_max}%`,
        row.closed.target_wait_pct === undefined ? '?' : `${row.closed.target_wait_pct}%`,
        row.checks_per_cpu_s === undefined ? '?' : num(row.checks_per_cpu_s),
        row.closed.kafka_cpu_pct === undefined ? '-' : `${row.closed.kafka_cpu_pct}%`,
        row.other_cpu_pct_at_max === undefined ? '?' : `${row.other_cpu_pct_at_max}%`,
        row.load_avg_1m.toFixed(2),
      ];
      lines.push(cells.map((c, i) => (i < 2 ? pad(c, widths[i]!) : lpad(c, widths[i]!))).join(' '));
    }
    for (const [peer, why] of Object.entries(r.skipped))
      lines.push(
        `${pad(peer, widths[0]!)} ${pad('both', widths[1]!)} ${lpad(num(r.rules), widths[2]!)}   not run: ${why}`,
      );
    if (r.rows.some((row) => row.target === 'opa'))
      lines.push(
        `${pad('opa', widths[0]!)} ${pad('gRPC', widths[1]!)} ${lpad(num(r.rules), widths[2]!)}   (OPA has no gRPC API)`,
      );
  }
  const same: string[] = [];
  for (const r of results)
    for (const row of r.rows)
      if (row.at_cerbos_rate) {
        const peer = r.rows.find((x) => x.target === 'cerbos' && x.transport === row.transport)!;
        const same_ = row.at_cerbos_rate;
        const lower = same_.rounds.filter((x) => x.modelgate_p99_ms < x.cerbos_p99_ms).length;
        same.push(
          `  ${pad(row.transport, 5)} ${lpad(num(r.rules), 7)} rules at ${lpad(num(same_.rate), 6)}/s: ` +
            `modelgate p50 ${same_.p50_ms.toFixed(2)} / p99 ${same_.p99_ms.toFixed(2)} ms · ` +
            `cerbos p50 ${same_.cerbos_p50_ms.toFixed(2)} / p99 ${same_.cerbos_p99_ms.toFixed(2)} ms (medians of ${same_.rounds.length}) · ` +
            `modelgate's p99 lower in ${lower} of ${same_.rounds.length} rounds (${same_.rounds.map((x) => `${x.modelgate_p99_ms.toFixed(1)} vs ${x.cerbos_p99_ms.toFixed(1)}`).join(', ')}) · ` +
            `throughput ×${(row.max_checks_per_s / peer.max_checks_per_s).toFixed(2)} of cerbos`,
        );
      }
  if (same.length > 0)
    lines.push(
      '',
      'same offered load (Cerbos at 50 % of its max, same transport; Modelgate and Cerbos in alternating open-loop runs):',
      ...same,
    );
  return lines.join('\n');
}
