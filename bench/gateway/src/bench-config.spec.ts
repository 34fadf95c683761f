import { describe, expect, it } from 'vitest';
import { BenchConfigError, loadBenchConfig } from './bench-config';

describe('loadBenchConfig', () => {
  it('defaults to the dev stack and the issue’s rates', () => {
    const c = loadBenchConfig({});
    expect(c.engineUrl).toBe('http://127.0.0.1:8000');
    expect(c.gatewayUrl).toBe('http://127.0.0.1:8080');
    expect(c.rates).toEqual([100, 500, 1000]);
    expect(c.durationMs).toBe(20_000);
    expect([...c.targets]).toEqual(['direct', 'nginx', 'litellm', 'modelgate']);
    expect(c.engineKey).toBe('demo-engine-key');
  });

  it('always keeps the direct baseline and takes the engine key of the stack', () => {
    const c = loadBenchConfig({
      BENCH_TARGETS: 'nginx',
      DEMO_ENGINE_KEY: 'k1',
      GATEWAY_URL: 'http://gw:8080/',
    });
    expect([...c.targets]).toEqual(['direct', 'nginx']);
    expect(c.engineKey).toBe('k1');
    expect(c.gatewayUrl).toBe('http://gw:8080');
    expect(loadBenchConfig({ BENCH_ENGINE_KEY: '' }).engineKey).toBe('');
  });

  it.each([
    ['BENCH_RATES', '100,fast'],
    ['BENCH_RATES', '0'],
    ['BENCH_TARGETS', 'envoy'],
    ['BENCH_DURATION_MS', '20s'],
    ['BENCH_DURATION_MS', '10'],
    ['GATEWAY_URL', 'https://gw'],
    ['GATEWAY_URL', 'http://gw/v1'],
    ['BENCH_ENGINE_URL', 'not a url'],
    ['BENCH_LOADGEN_CPUS', 'first'],
    ['BENCH_MODEL', '../etc'],
  ])('refuses %s=%j naming the variable', (name, value) => {
    expect(() => loadBenchConfig({ [name]: value })).toThrow(BenchConfigError);
    expect(() => loadBenchConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });
});
