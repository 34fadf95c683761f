import { describe, expect, it } from 'vitest';
import { formatGrpcTimeout, parseGrpcTimeout } from './grpc-timeout';

describe('grpc-timeout', () => {
  it('reads every unit', () => {
    expect(parseGrpcTimeout('2H')).toBe(7_200_000);
    expect(parseGrpcTimeout('3M')).toBe(180_000);
    expect(parseGrpcTimeout('4S')).toBe(4_000);
    expect(parseGrpcTimeout('250m')).toBe(250);
    expect(parseGrpcTimeout('1500u')).toBe(1.5);
    expect(parseGrpcTimeout('99999999n')).toBeCloseTo(99.999999);
  });

  it('tells an absent header (undefined) from an unreadable one (null)', () => {
    expect(parseGrpcTimeout(undefined)).toBeUndefined();
    for (const bad of ['', '100', 'm', '123456789m', '-5m', '5 m', '5x', '1.5S', '５m', ' 5m']) {
      expect(parseGrpcTimeout(bad)).toBeNull();
    }
    expect(parseGrpcTimeout(['5m', '6m'])).toBeNull();
  });

  it('writes whole milliseconds, at least 1 and at most 8 digits', () => {
    expect(formatGrpcTimeout(150)).toBe('150m');
    expect(formatGrpcTimeout(0.2)).toBe('1m');
    expect(formatGrpcTimeout(-3)).toBe('1m');
    expect(formatGrpcTimeout(1e12)).toBe('99999999m');
    expect(parseGrpcTimeout(formatGrpcTimeout(1e12))).toBe(99_999_999);
  });
});
