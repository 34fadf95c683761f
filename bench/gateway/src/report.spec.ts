import { describe, expect, it } from 'vitest';
import {
  added,
  failures,
  renderReport,
  verdicts,
  type LoadResult,
  type Percentiles,
  type TargetRuns,
} from './report';

const pct = (p50: number, p99: number): Percentiles => ({ p50, p90: p50, p99, p999: p99, max: p99, n: 1000 });
const result = (p50: number, p99: number, extra: Partial<LoadResult> = {}): LoadResult => ({
  mode: 'open',
  concurrency: 64,
  rate_asked: 500,
  seconds: 20,
  completed: 10_000,
  rps: 500,
  errors: 0,
  mismatches: 0,
  latency_ms: pct(p50, p99),
  generator_cpu_s: 1,
  ...extra,
});

function runs(mg500: LoadResult, mgMax: number): TargetRuns[] {
  return [
    {
      target: 'direct',
      label: 'engine direct',
      max: result(1, 2, { mode: 'closed', rps: 12_000 }),
      rates: { 100: result(0.5, 1), 500: result(0.6, 1.5) },
      stream: result(0.7, 1.2, { ttft_ms: pct(0.5, 1), rate_asked: 100 }),
    },
    {
      target: 'nginx',
      label: 'nginx',
      max: result(1.2, 2.5, { mode: 'closed', rps: 10_000 }),
      rates: { 100: result(0.6, 1.2), 500: result(0.7, 1.8) },
    },
    {
      target: 'litellm',
      label: 'LiteLLM',
      max: result(200, 250, { mode: 'closed', rps: 150 }),
      rates: { 100: result(30, 90), 500: result(400, 900) },
    },
    {
      target: 'modelgate',
      label: 'Modelgate',
      max: result(2, 4, { mode: 'closed', rps: mgMax }),
      rates: { 100: result(0.9, 2), 500: mg500 },
      stream: result(1.5, 3, { ttft_ms: pct(1.1, 2.4), rate_asked: 100 }),
    },
  ];
}

describe('added', () => {
  it('is the difference of the percentiles, rounded to microseconds', () => {
    expect(added(pct(1.2345678, 4.5), pct(0.5, 1))).toEqual({ p50: 0.735, p99: 3.5 });
    // Noise can make a proxy look faster than the engine: shown as it is, not clamped.
    expect(added(pct(0.4, 1), pct(0.5, 1)).p50).toBe(-0.1);
  });
});

describe('failures', () => {
  it('counts errors, mismatches and dropped requests', () => {
    expect(failures(result(1, 1, { errors: 2, mismatches: 3, dropped: 4 }))).toBe(9);
    expect(failures(result(1, 1))).toBe(0);
  });
});

describe('verdicts', () => {
  it("passes the issue's targets when Modelgate meets them", () => {
    const v = verdicts(runs(result(1.4, 5.9), 6000));
    expect(v.map((x) => x.ok)).toEqual([true, true, true]);
    expect(v[0]!.detail).toBe('+0.8 ms p50, +4.4 ms p99');
    expect(v[1]!.detail).toBe('60% (6000 vs 10000 req/s)');
  });

  it('misses them on slow answers, errors or low throughput', () => {
    expect(verdicts(runs(result(1.7, 2), 6000))[0]!.ok).toBe(false); // +1.1 ms p50
    expect(verdicts(runs(result(1, 7), 6000))[0]!.ok).toBe(false); // +5.5 ms p99
    expect(verdicts(runs(result(1, 2, { errors: 1 }), 6000))[0]!.ok).toBe(false);
    expect(verdicts(runs(result(1, 2), 4999))[1]!.ok).toBe(false);
    expect(verdicts(runs(result(500, 1000), 6000))[2]).toMatchObject({
      ok: false,
      detail: 'lower at 1 of 2 rates',
    });
  });

  it('says "not measured" rather than guessing when Modelgate did not run', () => {
    const v = verdicts(runs(result(1, 2), 6000).filter((r) => r.target !== 'modelgate'));
    expect(v.every((x) => x.ok === null && x.detail === 'not measured')).toBe(true);
  });
});

describe('renderReport', () => {
  it('prints one row per rate and target with the added latency, and the share of nginx', () => {
    const text = renderReport(
      runs(result(1.4, 5.9, { proxy_cpu_pct: 34.2, proxy_cpu_wait_pct: 1.8 }), 6000),
      [100, 500],
    );
    const row = text.split('\n').find((l) => l.startsWith('| 500') && l.includes('Modelgate'))!;
    expect(row.split('|').map((c) => c.trim())).toEqual([
      '',
      '500',
      'Modelgate',
      '500',
      '1.400',
      '5.900',
      '+0.80',
      '+4.40',
      '0',
      '34',
      '2',
      '',
    ]);
    expect(text).toMatch(/\| Modelgate\s+\| 6000\s+\| 60%/);
    expect(text).toMatch(/\| Modelgate\s+\| 1\.100\s+\| 2\.400\s+\| \+0\.60\s+\| \+1\.40/);
    expect(text).toContain('[ok] Modelgate overhead at 500 req/s');
  });

  it('shows errors, mismatches and drops beside a figure', () => {
    const text = renderReport(runs(result(1.4, 5.9, { errors: 3, mismatches: 1, dropped: 2 }), 6000), [500]);
    expect(text).toContain('3e/1m/2d');
  });
});
