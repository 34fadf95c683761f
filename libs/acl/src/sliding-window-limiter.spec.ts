import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RateLimitBucket } from './rate-limit';
import { InMemorySlidingWindowLimiter } from './sliding-window-limiter';

const bucket = (key: string, limit: number, windowMs: number): RateLimitBucket => ({ key, limit, windowMs });

describe('InMemorySlidingWindowLimiter', () => {
  it('takes `limit` requests per window and names the time the next one fits', () => {
    const limiter = new InMemorySlidingWindowLimiter();
    const b = [bucket('k', 2, 1_000)];
    expect(limiter.tryAcquire(b, 0).granted).toBe(0);
    expect(limiter.tryAcquire(b, 400).granted).toBe(0);
    expect(limiter.tryAcquire(b, 999)).toEqual({ granted: -1, retryAt: 1_000, retryBucket: 0 });
    expect(limiter.tryAcquire(b, 1_000).granted).toBe(0);
    expect(limiter.tryAcquire(b, 1_001)).toEqual({ granted: -1, retryAt: 1_400, retryBucket: 0 });
  });

  it('offers the request to the buckets in order and reports the one that frees up first', () => {
    const limiter = new InMemorySlidingWindowLimiter();
    const buckets = [bucket('a', 1, 10_000), bucket('b', 1, 1_000)];
    expect(limiter.tryAcquire(buckets, 0).granted).toBe(0);
    expect(limiter.tryAcquire(buckets, 1).granted).toBe(1);
    expect(limiter.tryAcquire(buckets, 2)).toEqual({ granted: -1, retryAt: 1_001, retryBucket: 1 });
  });

  it('peeks without counting', () => {
    const limiter = new InMemorySlidingWindowLimiter();
    const b = [bucket('k', 1, 1_000)];
    expect(limiter.peek(b, 0).granted).toBe(0);
    expect(limiter.peek(b, 0).granted).toBe(0);
    expect(limiter.size).toBe(0);
    limiter.tryAcquire(b, 0);
    expect(limiter.peek(b, 10)).toEqual({ granted: -1, retryAt: 1_000, retryBucket: 0 });
  });

  it('never counts a request as older than the one before it when the clock steps back', () => {
    const limiter = new InMemorySlidingWindowLimiter();
    const b = [bucket('k', 2, 1_000)];
    limiter.tryAcquire(b, 5_000);
    limiter.tryAcquire(b, 4_000); // logged as 5000
    expect(limiter.tryAcquire(b, 5_999).retryAt).toBe(6_000);
  });

  it('follows a lowered limit: the excess must expire first', () => {
    const limiter = new InMemorySlidingWindowLimiter();
    for (let t = 0; t < 10; t++) limiter.tryAcquire([bucket('k', 10, 1_000)], t);
    // With the limit now 3, seven of the ten must leave: the eighth (t = 7) frees the room.
    expect(limiter.tryAcquire([bucket('k', 3, 1_000)], 500)).toEqual({
      granted: -1,
      retryAt: 1_007,
      retryBucket: 0,
    });
  });

  it('forgets buckets whose window has passed', () => {
    const limiter = new InMemorySlidingWindowLimiter();
    for (let i = 0; i < 2_000; i++) limiter.tryAcquire([bucket(`k${i}`, 5, 1_000)], i);
    expect(limiter.size).toBeLessThan(2_000);
    limiter.tryAcquire([bucket('late', 5, 1_000)], 1_000_000);
    for (let i = 0; i < 1_100; i++) limiter.tryAcquire([bucket('late', 5_000, 1_000)], 1_000_000);
    expect(limiter.size).toBe(1);
  });

  it('agrees with counting the taken requests of the last window', () => {
    const step = fc.record({ gap: fc.integer({ min: 0, max: 700 }), key: fc.constantFrom('a', 'b') });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3_000 }),
        fc.array(step, { maxLength: 80 }),
        (limit, windowMs, steps) => {
          const limiter = new InMemorySlidingWindowLimiter();
          const taken: Record<string, number[]> = { a: [], b: [] };
          let now = 0;
          for (const { gap, key } of steps) {
            now += gap;
            const inWindow = taken[key]!.filter((t) => t > now - windowMs);
            const outcome = limiter.tryAcquire([bucket(key, limit, windowMs)], now);
            if (inWindow.length < limit) {
              expect(outcome.granted).toBe(0);
              taken[key]!.push(now);
            } else {
              expect(outcome.granted).toBe(-1);
              expect(outcome.retryAt).toBe(inWindow[inWindow.length - limit]! + windowMs);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
