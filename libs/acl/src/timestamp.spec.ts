import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from './timestamp';

const ms = (text: string): number | string => {
  const parsed = parseTimestamp(text);
  return parsed.ok ? parsed.ms : parsed.problem;
};

describe('parseTimestamp', () => {
  it.each([
    ['2025-12-31T23:59:59Z', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['2025-12-31t23:59:59z', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['2026-01-01T07:59:59+08:00', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['2025-12-31T18:29:59-05:30', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['2025-12-31T23:59:59-00:00', Date.UTC(2025, 11, 31, 23, 59, 59)],
    ['2025-12-31T23:59:59.5Z', Date.UTC(2025, 11, 31, 23, 59, 59, 500)],
    // Finer than a millisecond is cut toward the past, never rounded up into the next one.
    ['2025-12-31T23:59:59.999999999Z', Date.UTC(2025, 11, 31, 23, 59, 59, 999)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['0050-06-01T00:00:00Z', new Date('0050-06-01T00:00:00Z').getTime()],
    ['0000-01-01T00:00:00Z', new Date('0000-01-01T00:00:00Z').getTime()],
  ])('reads %s', (text, expected) => {
    expect(ms(text)).toBe(expected);
  });

  it.each([
    ['2025-12-31T23:59:60Z', 'leap seconds'],
    ['2025-13-01T00:00:00Z', 'month 13'],
    ['2025-00-01T00:00:00Z', 'month 00'],
    ['2025-02-29T00:00:00Z', 'day 29 is out of range for 2025-02'],
    ['1900-02-29T00:00:00Z', 'day 29'],
    ['2025-04-31T00:00:00Z', 'day 31'],
    ['2025-04-00T00:00:00Z', 'day 00'],
    ['2025-12-31T24:00:00Z', 'hour 24'],
    ['2025-12-31T23:60:00Z', 'minute 60'],
    ['2025-12-31T23:59:59+24:00', 'offset +24:00'],
    ['2025-12-31T23:59:59+05:60', 'offset +05:60'],
    ['2025-12-31 23:59:59Z', 'RFC 3339'],
    ['2025-12-31T23:59:59', 'RFC 3339'],
    ['2025-12-31T23:59Z', 'RFC 3339'],
    ['2025-12-31', 'RFC 3339'],
    ['+002025-12-31T23:59:59Z', 'RFC 3339'],
    ['2025-12-31T23:59:59.Z', 'RFC 3339'],
    ['2025-12-31T23:59:59.1234567890Z', 'RFC 3339'],
    ['２０２５-12-31T23:59:59Z', 'RFC 3339'],
    [' 2025-12-31T23:59:59Z', 'RFC 3339'],
    ['2025-12-31T23:59:59Z\n', 'RFC 3339'],
    ['Wed, 31 Dec 2025 23:59:59 GMT', 'RFC 3339'],
  ])('rejects %j (%s)', (text, problem) => {
    expect(ms(text)).toContain(problem);
  });

  it('reads back what it formats, to the millisecond', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: new Date('0000-01-01T00:00:00Z').getTime(),
          max: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
        }),
        (time) => {
          const text = formatTimestamp(time);
          expect(ms(text)).toBe(time);
          if (time % 1000 === 0) expect(text).not.toContain('.');
        },
      ),
    );
  });
});
