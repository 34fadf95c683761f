import { describe, expect, it } from 'vitest';
import type { RuleTraceV1 } from '@modelgate/contracts';
import {
  earliestCandidate,
  localTime,
  nextTimeConditionsHold,
  rulesWaitingForTime,
  windowContains,
} from './next-allowed';

const at = (iso: string) => Date.parse(iso);
const OFFICE = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '18:00',
  tz: 'Asia/Shanghai',
};

describe('time windows as the policy language reads them', () => {
  it('reads the local weekday and minute in the zone', () => {
    // 2026-12-05 is a Saturday; 01:30 UTC is 09:30 in Shanghai.
    expect(localTime(at('2026-12-05T01:30:00Z'), 'Asia/Shanghai')).toEqual({ weekday: 5, minute: 570 });
  });
  it('contains times inside the window, end exclusive', () => {
    expect(windowContains(OFFICE, at('2026-12-04T01:00:00Z'))).toBe(true); // Fri 09:00 CST
    expect(windowContains(OFFICE, at('2026-12-04T10:00:00Z'))).toBe(false); // Fri 18:00 CST
    expect(windowContains(OFFICE, at('2026-12-05T02:00:00Z'))).toBe(false); // Sat
  });
  it('wraps overnight windows into the next morning', () => {
    const night = { days: ['fri'], start: '22:00', end: '06:00', tz: 'UTC' };
    expect(windowContains(night, at('2026-12-04T23:00:00Z'))).toBe(true);
    expect(windowContains(night, at('2026-12-05T05:59:00Z'))).toBe(true);
    expect(windowContains(night, at('2026-12-05T06:00:00Z'))).toBe(false);
    expect(windowContains(night, at('2026-12-03T23:00:00Z'))).toBe(false);
  });
});

describe('nextTimeConditionsHold', () => {
  it('finds the next opening of a window to the minute', () => {
    // Saturday noon in Shanghai → Monday 09:00 CST = Monday 01:00 UTC.
    expect(nextTimeConditionsHold({ time_window: OFFICE }, at('2026-12-05T04:00:00Z'))).toBe(
      at('2026-12-07T01:00:00Z'),
    );
    const odd = { ...OFFICE, start: '09:07', tz: 'UTC' };
    expect(nextTimeConditionsHold({ time_window: odd }, at('2026-12-07T08:00:00Z'))).toBe(
      at('2026-12-07T09:07:00Z'),
    );
  });
  it('waits for valid_from, and gives up when the grant expires first', () => {
    expect(nextTimeConditionsHold({ valid_from: '2026-12-03T00:00:00Z' }, at('2026-12-02T10:00:00Z'))).toBe(
      at('2026-12-03T00:00:00Z'),
    );
    expect(
      nextTimeConditionsHold(
        { valid_from: '2026-12-03T00:00:00Z', valid_until: '2026-12-02T12:00:00Z' },
        at('2026-12-02T10:00:00Z'),
      ),
    ).toBeNull();
  });
  it('is null when nothing opens within the horizon', () => {
    expect(
      nextTimeConditionsHold({ valid_from: '2027-06-01T00:00:00Z' }, at('2026-12-02T10:00:00Z')),
    ).toBeNull();
    expect(
      earliestCandidate(
        [{ time_window: OFFICE }, { valid_from: '2026-12-05T05:00:00Z' }],
        at('2026-12-05T04:00:00Z'),
      ),
    ).toBe(at('2026-12-05T05:00:00Z'));
  });
});

describe('rulesWaitingForTime', () => {
  const trace = (over: Partial<RuleTraceV1>): RuleTraceV1 => ({
    document_model: 'm',
    mode: 'enforce',
    policy_version: 1,
    rule_id: 'r',
    effect: 'allow',
    principal: 'role:x',
    operations: ['infer'],
    status: 'condition_failed',
    failure: 'time_window',
    conditions: [{ condition: 'time_window', holds: false, detail: '' }],
    decisive: false,
    shadow_decisive: false,
    ...over,
  });
  it('keeps allow rules that failed only on time conditions', () => {
    expect(rulesWaitingForTime([trace({})]).length).toBe(1);
    expect(
      rulesWaitingForTime([
        trace({
          conditions: [
            { condition: 'time_window', holds: false, detail: '' },
            { condition: 'ip_range', holds: false, detail: '' },
          ],
        }),
      ]).length,
    ).toBe(0);
    expect(rulesWaitingForTime([trace({ effect: 'deny' })]).length).toBe(0);
    expect(rulesWaitingForTime([trace({ mode: 'shadow' })]).length).toBe(0);
    expect(rulesWaitingForTime([trace({ status: 'principal_mismatch', conditions: [] })]).length).toBe(0);
  });
});
