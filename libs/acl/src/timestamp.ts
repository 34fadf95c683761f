// RFC 3339 date-times, strictly: a full date, a time with seconds, and an explicit offset.
// `Date.parse` is not used because it accepts far more (and differently per engine).

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export type TimestampResult = { ok: true; ms: number } | { ok: false; problem: string };

/**
 * Epoch milliseconds of an RFC 3339 date-time. Fractions finer than a millisecond are cut
 * (toward the past), and leap seconds (`:60`) are rejected: epoch time has no place for them.
 */
export function parseTimestamp(text: string): TimestampResult {
  const m = RFC3339.exec(text);
  if (!m) return { ok: false, problem: 'expected an RFC 3339 date-time such as "2025-12-31T23:59:59Z"' };
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return { ok: false, problem: `month ${m[2]} is out of range` };
  const monthDays = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  if (day < 1 || day > monthDays)
    return { ok: false, problem: `day ${m[3]} is out of range for ${m[1]}-${m[2]}` };
  if (hour > 23) return { ok: false, problem: `hour ${m[4]} is out of range` };
  if (minute > 59) return { ok: false, problem: `minute ${m[5]} is out of range` };
  if (second > 59)
    return { ok: false, problem: `second ${m[6]} is out of range (leap seconds are not supported)` };
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offsetHour = Number(m[10]);
    const offsetMinute = Number(m[11]);
    if (offsetHour > 23 || offsetMinute > 59)
      return { ok: false, problem: `offset ${m[9]}${m[10]}:${m[11]} is out of range` };
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const seconds = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offsetMinutes) * 60 + second;
  return { ok: true, ms: seconds * 1000 + millis };
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil): plain arithmetic, for every year from 0000 to 9999.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** RFC 3339 in UTC, with milliseconds only when there are any. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
