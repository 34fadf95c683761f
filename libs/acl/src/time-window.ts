// `time_window`: the days and the local hours in the rule's time zone when it applies.
// Start is inclusive and end exclusive; an end before the start is an overnight window that
// begins on a listed day and ends on the next one (fri 22:00-06:00 runs into Saturday). The
// wall clock decides, so across a DST change the window keeps its local hours.
import { WEEKDAYS, type TimeWindow, type Weekday } from './policy';
import { MINUTES_PER_DAY, TimeZone, timeZone } from './time-zone';

/** Minutes after midnight of `HH:MM` (24-hour), or null. `24:00` only where `allowEndOfDay`. */
export function parseClock(text: string, allowEndOfDay: boolean): number | null {
  const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(text);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  return allowEndOfDay && text === '24:00' ? MINUTES_PER_DAY : null;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export function isWeekday(value: string): value is Weekday {
  return (WEEKDAYS as readonly string[]).includes(value);
}

/** A window ready for checks: the days as a bit mask (bit 0 = Monday). */
export class CompiledTimeWindow {
  private readonly days: number;
  private readonly zone: TimeZone;
  private readonly start: number;
  private readonly end: number;

  constructor(window: TimeWindow) {
    const zone = timeZone(window.tz);
    if (zone === null) throw new RangeError(`unknown time zone ${window.tz}`); // the parser checked it
    this.zone = zone;
    this.days = window.days.reduce((mask, day) => mask | (1 << WEEKDAYS.indexOf(day)), 0);
    this.start = window.start;
    this.end = window.end;
  }

  /** The local weekday and minute at `time`, as `TimeZone.localMinuteOfWeek` encodes them. */
  localMinuteOfWeek(time: number): number {
    return this.zone.localMinuteOfWeek(time);
  }

  contains(time: number): boolean {
    const local = this.zone.localMinuteOfWeek(time);
    const weekday = Math.floor(local / MINUTES_PER_DAY);
    const minute = local - weekday * MINUTES_PER_DAY;
    if (this.start < this.end)
      return (this.days & (1 << weekday)) !== 0 && minute >= this.start && minute < this.end;
    // Overnight: the evening part on a listed day, or the morning part the day after one.
    if (minute >= this.start) return (this.days & (1 << weekday)) !== 0;
    return minute < this.end && (this.days & (1 << ((weekday + 6) % 7))) !== 0;
  }
}
