import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WEEKDAYS, type TimeWindow } from './policy';
import { CompiledTimeWindow, formatClock, parseClock } from './time-window';
import { timeZone } from './time-zone';

describe('time zones', () => {
  it.each([
    'Asia/Shanghai',
    'America/New_York',
    'UTC',
    'Etc/GMT+8',
    'America/Argentina/Buenos_Aires',
    'America/Port-au-Prince',
  ])('knows %s', (name) => {
    expect(timeZone(name)?.name).toBe(name);
  });

  it.each([
    'Mars/Olympus',
    '+08:00',
    'UTC+8',
    '',
    'Asia/../Etc',
    'Asia/Shanghai ',
    `Asia/${'x'.repeat(100)}`,
    'Asia\u200b/Shanghai',
  ])('does not know %j', (name) => {
    expect(timeZone(name)).toBeNull();
  });

  it('gives the same local minute for every instant of a UTC minute, cached or not', () => {
    const zone = timeZone('Asia/Kolkata')!;
    const start = Date.UTC(2026, 0, 15, 3, 30); // Thursday 09:00 IST
    expect(zone.localMinuteOfWeek(start)).toBe(3 * 1440 + 9 * 60);
    expect(zone.localMinuteOfWeek(start + 59_999)).toBe(3 * 1440 + 9 * 60);
    expect(zone.localMinuteOfWeek(start + 60_000)).toBe(3 * 1440 + 9 * 60 + 1);
    // The cache slot of this minute, taken by another minute 256 minutes later, then back.
    expect(zone.localMinuteOfWeek(start + 256 * 60_000)).toBe(3 * 1440 + 13 * 60 + 16);
    expect(zone.localMinuteOfWeek(start)).toBe(3 * 1440 + 9 * 60);
    // Before 1970 the minute number is negative.
    expect(timeZone('UTC')!.localMinuteOfWeek(Date.UTC(1969, 11, 31, 23, 59))).toBe(2 * 1440 + 23 * 60 + 59);
  });
});

describe('clock times', () => {
  it.each([
    ['00:00', false, 0],
    ['09:00', false, 540],
    ['23:59', false, 1439],
    ['24:00', true, 1440],
    ['24:00', false, null],
    ['9:00', false, null],
    ['09:0', false, null],
    ['23:60', false, null],
    ['24:01', true, null],
    ['09:00:00', false, null],
    ['٠٩:٠٠', false, null],
  ])('%s (end of day allowed: %s) is %s', (text, allowEndOfDay, minutes) => {
    expect(parseClock(text, allowEndOfDay)).toBe(minutes);
  });

  it('formats what it reads', () => {
    expect(formatClock(540)).toBe('09:00');
    expect(formatClock(1440)).toBe('24:00');
  });
});

/** A straightforward reading of the documented semantics, straight from Intl, no cache. */
function reference(window: TimeWindow, time: number): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: window.tz,
    hourCycle: 'h23',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(time);
  const part = (type: string): string => parts.find((p) => p.type === type)!.value;
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(part('weekday'));
  const minute = Number(part('hour')) * 60 + Number(part('minute'));
  const listed = (d: number): boolean => window.days.includes(WEEKDAYS[(d + 7) % 7]!);
  if (window.start < window.end) return listed(day) && minute >= window.start && minute < window.end;
  return (listed(day) && minute >= window.start) || (listed(day - 1) && minute < window.end);
}

describe('CompiledTimeWindow', () => {
  it('agrees with a direct reading of the local time, including overnight windows and DST', () => {
    const window = fc
      .record({
        days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
        start: fc.integer({ min: 0, max: 1439 }),
        end: fc.integer({ min: 1, max: 1440 }),
        tz: fc.constantFrom(
          'Asia/Shanghai',
          'America/New_York',
          'Europe/Berlin',
          'Australia/Lord_Howe',
          'Asia/Kolkata',
          'UTC',
        ),
      })
      .filter((w) => w.start !== w.end);
    // Around the 2025 DST changes, and anywhere else.
    const time = fc.oneof(
      fc.integer({ min: Date.UTC(2025, 2, 8), max: Date.UTC(2025, 3, 7) }),
      fc.integer({ min: Date.UTC(2025, 9, 24), max: Date.UTC(2025, 10, 4) }),
      fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2060, 0, 1) }),
    );
    fc.assert(
      fc.property(window, time, (w, t) => {
        expect(new CompiledTimeWindow(w).contains(t)).toBe(reference(w, t));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a zone the runtime does not know (the parser checks first)', () => {
    expect(() => new CompiledTimeWindow({ days: ['mon'], start: 0, end: 60, tz: 'Mars/Olympus' })).toThrow(
      RangeError,
    );
  });
});
