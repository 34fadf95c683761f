// Local wall-clock time in an IANA time zone. Intl does the zone arithmetic (so DST rules are
// the runtime's tz database), and a small cache per zone keyed by the UTC minute makes the
// per-check cost a couple of array reads: requests arrive at nearly the same time.

// Zone names as the tz database spells them. Intl also takes offsets such as "+08:00", which
// are not zones (no DST), so the shape is checked before Intl is asked.
const ZONE_NAME = /^(?:[A-Za-z][A-Za-z0-9_+-]*)(?:\/[A-Za-z0-9][A-Za-z0-9_+-]*)*$/;
const MAX_ZONE_NAME_LENGTH = 64;
const CACHE_SIZE = 256; // a power of two: the slot is the minute's low bits
const WEEKDAY_INDEX: Readonly<Record<string, number>> = {
  Mon: 0,
  Tue: 1,
  Wed: 2,
  Thu: 3,
  Fri: 4,
  Sat: 5,
  Sun: 6,
};
export const MINUTES_PER_DAY = 1440;
const MS_PER_MINUTE = 60_000;

export class TimeZone {
  private readonly format: Intl.DateTimeFormat;
  private readonly cachedMinute = new Float64Array(CACHE_SIZE).fill(NaN);
  private readonly cachedLocal = new Int32Array(CACHE_SIZE);

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  }

  /**
   * The local weekday (0 = Monday) and minute of the day at epoch ms `time`, encoded as
   * `weekday * 1440 + minute` (one number, no allocation).
   */
  localMinuteOfWeek(time: number): number {
    const minute = Math.floor(time / MS_PER_MINUTE);
    const slot = minute & (CACHE_SIZE - 1);
    if (this.cachedMinute[slot] === minute) return this.cachedLocal[slot]!;
    // The start of the UTC minute stands for the whole minute: every zone in use today has an
    // offset of whole minutes, so no local minute boundary falls inside a UTC minute.
    const local = this.compute(minute * MS_PER_MINUTE);
    this.cachedMinute[slot] = minute;
    this.cachedLocal[slot] = local;
    return local;
  }

  private compute(time: number): number {
    let weekday = 0;
    let hour = 0;
    let minute = 0;
    for (const part of this.format.formatToParts(time)) {
      if (part.type === 'weekday') weekday = WEEKDAY_INDEX[part.value] ?? 0;
      else if (part.type === 'hour') hour = Number(part.value);
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return weekday * MINUTES_PER_DAY + hour * 60 + minute;
  }
}

const zones = new Map<string, TimeZone>();

/** The zone named `name`, or null when the runtime's tz database has no such zone. */
export function timeZone(name: string): TimeZone | null {
  const known = zones.get(name);
  if (known) return known;
  if (name.length > MAX_ZONE_NAME_LENGTH || !ZONE_NAME.test(name)) return null;
  let zone: TimeZone;
  try {
    zone = new TimeZone(name);
  } catch {
    return null; // RangeError: unknown zone
  }
  zones.set(name, zone);
  return zone;
}
