import { describe, expect, it } from 'vitest';
import { fieldMessages, placeIssues } from './field-issues';

describe('placeIssues', () => {
  const placed = placeIssues([
    { path: 'rules[1].conditions.ip_range[2]', message: 'not a CIDR, got "x"' },
    { path: 'rules[1].conditions.rate_limit', message: 'expected N req/(s|min|hour|day)' },
    { path: 'rules[0].principal.value', message: 'is required' },
    { path: 'rules[0].principal.type', message: 'expected one of "user", …' },
    { path: 'rules[0].operations[1]', message: 'duplicate operation "infer"' },
    { path: 'rules[0].conditions.time_window.end', message: 'must be after start' },
    { path: 'rules[0].conditions.geo', message: 'unknown field' },
    { path: 'rules[0].priority', message: 'unknown field' },
    { path: 'rules[0].conditions.valid_until', message: 'must not be before valid_from' },
    { path: 'model', message: 'expected a string' },
    { path: 'rules', message: 'expected an array' },
  ]);

  it('puts each rule issue at its field, with list items named', () => {
    expect(fieldMessages(placed, 1, 'ipRanges')).toBe('item 3: not a CIDR, got "x"');
    expect(fieldMessages(placed, 1, 'ipRanges', (i) => `line ${i + 7}`)).toBe('line 9: not a CIDR, got "x"');
    expect(fieldMessages(placed, 1, 'rateLimit')).toBe('expected N req/(s|min|hour|day)');
    expect(fieldMessages(placed, 0, 'principalValue')).toBe('is required');
    expect(fieldMessages(placed, 0, 'principalType')).toBe('expected one of "user", …');
    expect(fieldMessages(placed, 0, 'operations')).toBe('item 2: duplicate operation "infer"');
    expect(fieldMessages(placed, 0, 'timeWindow')).toBe('end: must be after start');
    expect(fieldMessages(placed, 0, 'conditions')).toBe('unknown field');
    expect(fieldMessages(placed, 0, 'rule')).toBe('unknown field');
    expect(fieldMessages(placed, 0, 'validUntil')).toBe('must not be before valid_from');
  });

  it('keeps document-level issues, and has nothing for untouched fields', () => {
    expect(placed.document.map((i) => i.path)).toEqual(['model', 'rules']);
    expect(fieldMessages(placed, 1, 'id')).toBeNull();
    expect(fieldMessages(placed, 5, 'id')).toBeNull();
  });

  it('never loses an issue: every one is placed somewhere', () => {
    const total =
      placed.document.length +
      [...placed.rules.values()].reduce((n, m) => n + [...m.values()].reduce((k, l) => k + l.length, 0), 0);
    expect(total).toBe(11);
  });
});
