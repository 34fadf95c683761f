import { describe, expect, it } from 'vitest';
import { parseRateLimit } from './rate-limit';

describe('parseRateLimit', () => {
  it.each([
    ['100req/min', 100, 60_000, '100 req/min'],
    ['100 req/min', 100, 60_000, '100 req/min'],
    ['100 req / min', 100, 60_000, '100 req/min'],
    ['5req/s', 5, 1_000, '5 req/s'],
    ['5 req/sec', 5, 1_000, '5 req/s'],
    ['1 req/hour', 1, 3_600_000, '1 req/hour'],
    ['1 req/day', 1, 86_400_000, '1 req/day'],
    ['999999999 req/day', 999_999_999, 86_400_000, '999999999 req/day'],
  ])('reads %j', (text, limit, windowMs, canonical) => {
    expect(parseRateLimit(text)).toEqual({ limit, windowMs, text: canonical });
  });

  it.each([
    '100/minute',
    '100 req/minute',
    '100 requests/min',
    '100 REQ/MIN',
    '0 req/min',
    '-1 req/min',
    '1.5 req/min',
    '0100 req/min',
    '1e3 req/min',
    '１００ req/min',
    '1000000000 req/min',
    ' 100 req/min',
    '100 req/min ',
    '100\treq/min',
    '100 req/min/s',
    '',
  ])('rejects %j', (text) => {
    expect(parseRateLimit(text)).toBeNull();
  });
});
