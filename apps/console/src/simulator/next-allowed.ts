// When would a denied request next be allowed? The decision service answers `retry_at` for
// rate limits; for time conditions (a weekly window, a validity start) the console finds
// the first minute at which an allow rule's time conditions all hold, from the rule as
// stored, and then asks the decision service at that time: only its answer is shown.
import type { RuleTraceV1 } from '@modelgate/contracts';

const DAY_INDEX: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
const MINUTE = 60_000;
/** How far ahead to look: a weekly window opens within 7 days. */
export const HORIZON_MS = 8 * 24 * 60 * MINUTE;
const STEP_MS = 15 * MINUTE;

export interface TimeWindowJson {
  readonly days: readonly string[];
  readonly start: string;
  readonly end: string;
  readonly tz: string;
}

export interface TimeConditions {
  readonly valid_from?: string;
  readonly valid_until?: string;
  readonly time_window?: TimeWindowJson;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Weekday (0 = Monday) and minute of the day at `ms` in `tz`. */
export function localTime(ms: number, tz: string): { weekday: number; minute: number } {
  let format = formatters.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return {
    weekday: DAY_INDEX[parts['weekday'] ?? ''] ?? 0,
    minute: Number(parts['hour']) * 60 + Number(parts['minute']),
  };
}

function clock(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The policy language's window semantics (libs/acl time-window.ts): end exclusive, overnight wraps. */
export function windowContains(window: TimeWindowJson, ms: number): boolean {
  const days = new Set(window.days.map((d) => ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(d)));
  const { weekday, minute } = localTime(ms, window.tz);
  const start = clock(window.start);
  const end = clock(window.end);
  if (start < end) return days.has(weekday) && minute >= start && minute < end;
  if (minute >= start) return days.has(weekday);
  return minute < end && days.has((weekday + 6) % 7);
}

export function timeConditionsHold(c: TimeConditions, ms: number): boolean {
  if (c.valid_from !== undefined && ms < Date.parse(c.valid_from)) return false;
  if (c.valid_until !== undefined && ms > Date.parse(c.valid_until)) return false;
  if (c.time_window !== undefined && !windowContains(c.time_window, ms)) return false;
  return true;
}

/** The first whole minute at or after `from` (within the horizon) when all of `c` hold, or null. */
export function nextTimeConditionsHold(c: TimeConditions, from: number): number | null {
  const first = Math.ceil(from / MINUTE) * MINUTE;
  if (timeConditionsHold(c, first)) return first;
  for (let t = first + STEP_MS; t <= first + HORIZON_MS; t += STEP_MS) {
    if (!timeConditionsHold(c, t)) continue;
    // Back to the first minute of this opening (windows start on any minute).
    let start = t;
    while (start - MINUTE > first && timeConditionsHold(c, start - MINUTE)) start -= MINUTE;
    return start;
  }
  return null;
}

const TIME_CONDITIONS = new Set(['time_window', 'valid_from']);

/** Allow rules that failed only on conditions that time can change: the ones worth a look. */
export function rulesWaitingForTime(rules: readonly RuleTraceV1[]): RuleTraceV1[] {
  return rules.filter(
    (r) =>
      r.mode === 'enforce' &&
      r.effect === 'allow' &&
      r.status === 'condition_failed' &&
      r.conditions.some((c) => c.holds === false) &&
      r.conditions.every((c) => c.holds !== false || TIME_CONDITIONS.has(c.condition)),
  );
}

/** The earliest candidate over the stored rules' time conditions, or null. */
export function earliestCandidate(conditions: readonly TimeConditions[], from: number): number | null {
  let best: number | null = null;
  for (const c of conditions) {
    const t = nextTimeConditionsHold(c, from);
    if (t !== null && (best === null || t < best)) best = t;
  }
  return best;
}
