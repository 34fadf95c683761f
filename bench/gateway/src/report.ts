// What a run measured, how the figures are derived from it (added latency over the engine
// called directly, share of nginx's throughput) and the table printed at the end. Pure.
import type { TargetName } from './bench-config';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  n: number;
}

/** One loadgen run (loadgen/main.go runResult), plus the target's CPU use added by the bench. */
export interface LoadResult {
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
  latency_ms: Percentiles;
  ttft_ms?: Percentiles;
  pacer_lag_p99_ms?: number;
  generator_cpu_s: number;
  /** CPU of the proxy's processes (not the engine's) over the run, % of one core. */
  proxy_cpu_pct?: number;
  /** Time the proxy's main threads were runnable but waiting for a CPU, % of the run (summed over processes). */
  proxy_cpu_wait_pct?: number;
  /** The same per service, for a proxy made of several (Modelgate). */
  proxy_cpu_by_process?: Record<string, number>;
  /** CPU of the engine over the run, % of one core. */
  engine_cpu_pct?: number;
}

export interface TargetRuns {
  readonly target: TargetName;
  readonly label: string;
  readonly max?: LoadResult;
  readonly rates: Readonly<Record<number, LoadResult>>;
  readonly stream?: LoadResult;
}

export interface Added {
  readonly p50: number;
  readonly p99: number;
}

/** Latency the proxy adds over the engine alone at the same offered load (may be negative: noise). */
export function added(through: Percentiles, direct: Percentiles): Added {
  return { p50: round(through.p50 - direct.p50), p99: round(through.p99 - direct.p99) };
}

export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** A run whose answers were not all right is not a figure: errors and mismatches are shown beside it. */
export function failures(r: LoadResult): number {
  return r.errors + r.mismatches + (r.dropped ?? 0);
}

export interface Verdict {
  readonly check: string;
  readonly ok: boolean | null;
  readonly detail: string;
}

/** Issue #8's targets, judged on this run; null when a figure is missing. */
export function verdicts(runs: readonly TargetRuns[]): Verdict[] {
  const by = (t: TargetName) => runs.find((r) => r.target === t);
  const direct = by('direct');
  const mg = by('modelgate');
  const nginx = by('nginx');
  const litellm = by('litellm');
  const out: Verdict[] = [];
  const at500 =
    direct?.rates[500] && mg?.rates[500]
      ? added(mg.rates[500].latency_ms, direct.rates[500].latency_ms)
      : null;
  out.push({
    check: 'Modelgate overhead at 500 req/s: p50 < 1 ms, p99 < 5 ms',
    ok: at500 ? at500.p50 < 1 && at500.p99 < 5 && failures(mg!.rates[500]!) === 0 : null,
    detail: at500 ? `+${at500.p50} ms p50, +${at500.p99} ms p99` : 'not measured',
  });
  const share = mg?.max && nginx?.max ? mg.max.rps / nginx.max.rps : null;
  out.push({
    check: "Modelgate max throughput >= 50% of nginx's",
    ok: share === null ? null : share >= 0.5,
    detail:
      share === null
        ? 'not measured'
        : `${Math.round(share * 100)}% (${Math.round(mg!.max!.rps)} vs ${Math.round(nginx!.max!.rps)} req/s)`,
  });
  const rates = direct ? Object.keys(direct.rates).map(Number) : [];
  const compared = rates.filter((r) => mg?.rates[r] && litellm?.rates[r]);
  const lower = compared.filter((r) => {
    const m = added(mg!.rates[r]!.latency_ms, direct!.rates[r]!.latency_ms);
    const l = added(litellm!.rates[r]!.latency_ms, direct!.rates[r]!.latency_ms);
    return m.p50 < l.p50 && m.p99 < l.p99;
  });
  out.push({
    check: 'Modelgate overhead lower than LiteLLM at every rate (p50 and p99)',
    ok: compared.length === 0 ? null : lower.length === compared.length,
    detail: compared.length === 0 ? 'not measured' : `lower at ${lower.length} of ${compared.length} rates`,
  });
  return out;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const f = (v: number | undefined, digits = 2): string =>
  v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);
const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
const errs = (r: LoadResult): string =>
  failures(r) === 0 ? '0' : `${r.errors}e/${r.mismatches}m/${r.dropped ?? 0}d`;

export function renderReport(runs: readonly TargetRuns[], rates: readonly number[]): string {
  const direct = runs.find((r) => r.target === 'direct');
  const parts: string[] = [];

  const rateRows: string[][] = [];
  for (const rate of rates) {
    for (const run of runs) {
      const r = run.rates[rate];
      if (!r) continue;
      const d = direct?.rates[rate];
      const a = d && run.target !== 'direct' ? added(r.latency_ms, d.latency_ms) : null;
      rateRows.push([
        String(rate),
        run.label,
        f(r.rps, 0),
        f(r.latency_ms.p50, 3),
        f(r.latency_ms.p99, 3),
        a ? signed(a.p50) : '',
        a ? signed(a.p99) : '',
        errs(r),
        f(r.proxy_cpu_pct, 0),
        f(r.proxy_cpu_wait_pct, 0),
      ]);
    }
  }
  parts.push(
    'Fixed rates (open loop, latency from the intended send time; + = added over the engine direct;\n' +
      "waited % = time the proxy's main threads were runnable but had no CPU (machine busy)):\n" +
      table(
        [
          'req/s',
          'target',
          'done/s',
          'p50 ms',
          'p99 ms',
          '+p50 ms',
          '+p99 ms',
          'errors',
          'proxy CPU %',
          'waited %',
        ],
        rateRows,
      ),
  );

  const nginxMax = runs.find((r) => r.target === 'nginx')?.max?.rps;
  const maxRows = runs
    .filter((r) => r.max)
    .map((run) => [
      run.label,
      f(run.max!.rps, 0),
      nginxMax ? `${Math.round((run.max!.rps / nginxMax) * 100)}%` : '–',
      f(run.max!.latency_ms.p50, 3),
      f(run.max!.latency_ms.p99, 3),
      errs(run.max!),
      f(run.max!.proxy_cpu_pct, 0),
      f(run.max!.proxy_cpu_wait_pct, 0),
      f(run.max!.engine_cpu_pct, 0),
    ]);
  parts.push(
    `Max throughput (closed loop, ${runs.find((r) => r.max)?.max?.concurrency ?? '?'} connections):\n` +
      table(
        [
          'target',
          'req/s',
          'of nginx',
          'p50 ms',
          'p99 ms',
          'errors',
          'proxy CPU %',
          'waited %',
          'engine CPU %',
        ],
        maxRows,
      ),
  );

  const ds = direct?.stream?.ttft_ms;
  const streamRows = runs
    .filter((r) => r.stream?.ttft_ms)
    .map((run) => {
      const t = run.stream!.ttft_ms!;
      const a = ds && run.target !== 'direct' ? added(t, ds) : null;
      return [
        run.label,
        f(t.p50, 3),
        f(t.p99, 3),
        a ? signed(a.p50) : '',
        a ? signed(a.p99) : '',
        f(run.stream!.latency_ms.p50, 3),
        f(run.stream!.latency_ms.p99, 3),
        errs(run.stream!),
      ];
    });
  const sr = runs.find((r) => r.stream)?.stream?.rate_asked;
  parts.push(
    `Streams (open loop, ${sr ?? '?'} streams/s; TTFT = first event carrying content):\n` +
      table(
        ['target', 'TTFT p50', 'TTFT p99', '+p50 ms', '+p99 ms', 'full p50', 'full p99', 'errors'],
        streamRows,
      ),
  );

  parts.push(
    "Issue #8's targets:\n" +
      verdicts(runs)
        .map((v) => `  [${v.ok === null ? '?' : v.ok ? 'ok' : 'MISSED'}] ${v.check}: ${v.detail}`)
        .join('\n'),
  );
  return parts.join('\n\n');
}
