import { describe, expect, it } from 'vitest';
import { filtersFromParams, newerEvents, paramsFromFilters } from './audit-filters';

describe('audit filters in the URL', () => {
  it('reads the audit API filters and drops unknown or empty ones', () => {
    const params = new URLSearchParams('principal=bob%40company.com&decision=deny&model=&cursor=x&evil=1');
    expect(filtersFromParams(params)).toEqual({ principal: 'bob@company.com', decision: 'deny' });
  });
  it('refuses a decision other than allow or deny', () => {
    expect(filtersFromParams(new URLSearchParams('decision=maybe'))).toEqual({});
  });
  it('round-trips', () => {
    const filters = { model: 'm', from: '2026-01-01T00:00:00.000Z' };
    expect(filtersFromParams(new URLSearchParams(paramsFromFilters(filters)))).toEqual(filters);
  });
});

describe('newerEvents (live tail)', () => {
  it('keeps only records above the newest shown, newest first', () => {
    expect(newerEvents([{ seq: 5 }, { seq: 3 }], [{ seq: 7 }, { seq: 5 }, { seq: 6 }, { seq: 4 }])).toEqual([
      { seq: 7 },
      { seq: 6 },
    ]);
    expect(newerEvents([], [{ seq: 1 }])).toEqual([{ seq: 1 }]);
  });
});
