import { describe, expect, it, vi } from 'vitest';
import { parsePolicyDocument } from '../parse/parse-document';
import { PolicyIndex } from '../policy-index/policy-index';
import type { AsyncRateLimiter, RateLimitBucket, RateLimitOutcome, RateLimiter } from '../rate-limit';
import { InMemorySlidingWindowLimiter } from '../sliding-window-limiter';
import { check, checkAsync } from './check';
import type { CheckRequest } from './request';

function indexOf(...documents: unknown[]): PolicyIndex {
  return PolicyIndex.from(
    documents.map((json, i) => {
      const parsed = parsePolicyDocument(json);
      if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
      return { document: parsed.value, version: i + 1 };
    }),
  );
}

const T = Date.UTC(2026, 0, 15, 10);
const request = (over: Partial<CheckRequest> = {}): CheckRequest => ({
  principal: { id: 'ann@company.com', type: 'user', roles: ['analyst'], groups: ['lab'] },
  model: 'm',
  operation: 'infer',
  context: { ip: '10.0.0.1', time: T },
  ...over,
});

/** A limiter that records what it is asked and answers as told. */
class RecordingLimiter implements RateLimiter {
  readonly calls: { method: string; buckets: readonly RateLimitBucket[]; now: number }[] = [];
  constructor(private readonly answer: RateLimitOutcome = { granted: 0, retryAt: 0, retryBucket: 0 }) {}
  tryAcquire(buckets: readonly RateLimitBucket[], now: number): RateLimitOutcome {
    this.calls.push({ method: 'tryAcquire', buckets, now });
    return this.answer;
  }
  peek(buckets: readonly RateLimitBucket[], now: number): RateLimitOutcome {
    this.calls.push({ method: 'peek', buckets, now });
    return this.answer;
  }
}

const limited = (id: string, principal: object, limit = '10 req/min') => ({
  id,
  principal,
  operations: ['infer'],
  conditions: { rate_limit: limit },
});

describe('check', () => {
  const index = indexOf(
    {
      model: 'm',
      rules: [
        limited('b-lab', { type: 'group', value: 'lab' }, '3 req/s'),
        limited('a-analyst', { type: 'role', value: 'analyst' }, '1 req/min'),
        {
          id: 'deny-outside',
          effect: 'deny',
          principal: { type: 'any' },
          operations: ['infer'],
          conditions: { ip_range: ['203.0.113.0/24'] },
        },
      ],
    },
    {
      model: 'open',
      rules: [
        { id: 'all', principal: { type: 'any' }, operations: ['infer'] },
        limited('lim', { type: 'any' }),
      ],
    },
  );

  it('offers the limiter the limited allows in rule order, keyed per rule, principal and model', () => {
    const limiter = new RecordingLimiter();
    expect(check(index, request(), limiter)).toMatchObject({
      allow: true,
      reason: 'allowed',
      ruleId: 'a-analyst',
      documentModel: 'm',
      policyVersion: 1,
      retryAt: null,
    });
    expect(limiter.calls).toEqual([
      {
        method: 'tryAcquire',
        now: T,
        buckets: [
          { key: 'm\u0000a-analyst\u0000user:ann@company.com\u0000m', limit: 1, windowMs: 60_000 },
          { key: 'm\u0000b-lab\u0000user:ann@company.com\u0000m', limit: 3, windowMs: 1_000 },
        ],
      },
    ]);
  });

  it('reports the rule and the time of the bucket that frees up first', () => {
    const limiter = new RecordingLimiter({ granted: -1, retryAt: T + 250, retryBucket: 1 });
    expect(check(index, request(), limiter)).toMatchObject({
      allow: false,
      reason: 'rate_limited',
      ruleId: 'b-lab',
      retryAt: T + 250,
    });
  });

  it('does not ask the limiter when a deny applies, an unlimited allow decides, or nothing allows', () => {
    const limiter = new RecordingLimiter();
    expect(check(index, request({ context: { ip: '203.0.113.1', time: T } }), limiter)).toMatchObject({
      reason: 'denied_by_rule',
      ruleId: 'deny-outside',
    });
    expect(check(index, request({ model: 'open' }), limiter)).toMatchObject({ allow: true, ruleId: 'all' });
    expect(check(index, request({ principal: { id: 'x', type: 'api_key' } }), limiter)).toMatchObject({
      reason: 'no_matching_rule',
    });
    expect(limiter.calls).toEqual([]);
  });

  it('lower-cases a user id before it counts, and not an API key', () => {
    const limiter = new RecordingLimiter();
    check(
      index,
      request({ principal: { id: 'Ann@Company.com', type: 'user', roles: ['analyst'] } }),
      limiter,
    );
    check(
      indexOf({ model: 'm', rules: [limited('k', { type: 'api_key', value: 'Key' })] }),
      request({ principal: { id: 'Key', type: 'api_key' } }),
      limiter,
    );
    expect(limiter.calls.map((c) => c.buckets[0]!.key)).toEqual([
      'm\u0000a-analyst\u0000user:ann@company.com\u0000m',
      'm\u0000k\u0000api_key:Key\u0000m',
    ]);
  });

  it('counts a role the caller names twice once', () => {
    const limiter = new RecordingLimiter();
    check(
      index,
      request({ principal: { id: 'x', type: 'api_key', roles: ['analyst', 'analyst'] } }),
      limiter,
    );
    expect(limiter.calls[0]!.buckets.map((b) => b.key)).toEqual(['m\u0000a-analyst\u0000api_key:x\u0000m']);
  });

  it('takes the time as epoch ms, a Date or an RFC 3339 string', () => {
    const limiter = new RecordingLimiter();
    for (const time of [T, new Date(T), '2026-01-15T18:00:00+08:00'])
      check(index, request({ context: { time } }), limiter);
    expect(limiter.calls.map((c) => c.now)).toEqual([T, T, T]);
  });

  it.each([
    [null, 'request: expected an object, got null'],
    ['GET /v1/models', 'request: expected an object'],
    [{ ...request(), principal: undefined }, 'principal: expected an object, got nothing'],
    [{ ...request(), principal: { type: 'user' } }, 'principal.id: expected a non-empty string, got nothing'],
    [
      { ...request(), principal: { id: 'x'.repeat(2000), type: 'user' } },
      'principal.id: expected a non-empty string',
    ],
    [
      { ...request(), principal: { id: 'x', type: 'group' } },
      'principal.type: expected one of user, api_key, service_account, got "group"',
    ],
    [
      { ...request(), principal: { id: 'x', type: 'user', roles: 'analyst' } },
      'principal.roles: expected an array of strings, got "analyst"',
    ],
    [
      { ...request(), principal: { id: 'x', type: 'user', groups: [1] } },
      'principal.groups: expected an array of strings, got an array',
    ],
    [
      { ...request(), operation: 'delete' },
      'operation: expected one of infer, train, download, view, got "delete"',
    ],
    [{ ...request(), model: 7 }, 'model: expected a string, got 7'],
    [{ ...request(), model: 'a/b' }, 'model: must not contain path separators'],
    [{ ...request(), context: null }, 'context: expected an object, got null'],
    [
      { ...request(), context: {} },
      'context.time: expected epoch ms, a Date or an RFC 3339 string, got nothing',
    ],
    [{ ...request(), context: { time: Number.NaN } }, 'context.time'],
    [{ ...request(), context: { time: 9e15 } }, 'context.time'],
    [{ ...request(), context: { time: new Date('nope') } }, 'context.time'],
    [{ ...request(), context: { time: '2026-01-15' } }, 'context.time'],
    [
      { ...request(), context: { time: T, ip: 167772161 } },
      'context.ip: expected an IPv4 or IPv6 address, got 167772161',
    ],
    [
      { ...request(), context: { time: T, ip: '10.0.0.1:443' } },
      'context.ip: expected an IPv4 or IPv6 address, got "10.0.0.1:443"',
    ],
  ])('denies a bad request (%#) as invalid_request: %s', (bad, detail) => {
    const decision = check(index, bad as CheckRequest, new RecordingLimiter());
    expect(decision).toMatchObject({
      allow: false,
      reason: 'invalid_request',
      ruleId: null,
      policyVersion: 0,
      shadow: null,
    });
    expect(decision.detail).toContain(detail);
  });

  it('takes an absent or null address as no address', () => {
    expect(
      check(index, request({ model: 'open', context: { time: T, ip: null } }), new RecordingLimiter()).allow,
    ).toBe(true);
    expect(check(index, request({ model: 'open', context: { time: T } }), new RecordingLimiter()).allow).toBe(
      true,
    );
  });

  it('turns a failure inside into an evaluation_error deny', () => {
    const broken: RateLimiter = {
      tryAcquire: () => {
        throw new Error('redis down');
      },
      peek: () => ({ granted: 0, retryAt: 0, retryBucket: 0 }),
    };
    expect(check(index, request(), broken)).toMatchObject({
      allow: false,
      reason: 'evaluation_error',
      ruleId: null,
    });
    const hostile = {
      ...request(),
      get principal(): never {
        throw new Error('getter');
      },
    };
    expect(check(index, hostile, broken)).toMatchObject({ allow: false, reason: 'evaluation_error' });
  });
});

describe('checkAsync', () => {
  const index = indexOf({ model: 'm', rules: [limited('r', { type: 'any' }, '1 req/min')] });

  it('waits for a limiter behind the network', async () => {
    const remote: AsyncRateLimiter = {
      tryAcquire: vi.fn(() => Promise.resolve({ granted: -1, retryAt: T + 60_000, retryBucket: 0 })),
    };
    await expect(checkAsync(index, request(), remote)).resolves.toMatchObject({
      allow: false,
      reason: 'rate_limited',
      retryAt: T + 60_000,
    });
  });

  it('works with the in-memory limiter too, and decides without one when no limit is involved', async () => {
    const memory = new InMemorySlidingWindowLimiter();
    await expect(checkAsync(index, request(), memory)).resolves.toMatchObject({ allow: true });
    await expect(checkAsync(index, request(), memory)).resolves.toMatchObject({ reason: 'rate_limited' });
    await expect(checkAsync(index, request({ operation: 'nope' as 'infer' }), memory)).resolves.toMatchObject(
      { reason: 'invalid_request' },
    );
  });

  it('fails closed when the limiter fails', async () => {
    const remote: AsyncRateLimiter = { tryAcquire: () => Promise.reject(new Error('timeout')) };
    await expect(checkAsync(index, request(), remote)).resolves.toMatchObject({
      allow: false,
      reason: 'evaluation_error',
    });
  });
});
