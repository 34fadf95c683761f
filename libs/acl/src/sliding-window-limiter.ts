// An exact sliding-window log per bucket: a ring of the times of the requests it took. A
// request is taken when fewer than `limit` times lie in (now - window, now]; a time stops
// counting at exactly `time + window`, which is therefore the retry time. The ring grows to
// at most the bucket's limit, so memory follows use, not configuration.
import type { RateLimitBucket, RateLimitOutcome, RateLimiter } from './rate-limit';

class RequestLog {
  times = new Float64Array(4);
  start = 0;
  count = 0;
  /** The window of the last use, to know when the whole log has expired. */
  windowMs = 0;

  /** Forgets the times that no longer count at `now`. */
  expire(now: number, windowMs: number): void {
    const capacity = this.times.length;
    while (this.count > 0 && this.times[this.start]! + windowMs <= now) {
      this.start = (this.start + 1) % capacity;
      this.count--;
    }
  }

  /** The i-th oldest time still in the log. */
  at(i: number): number {
    return this.times[(this.start + i) % this.times.length]!;
  }

  push(now: number): void {
    if (this.count === this.times.length) {
      const grown = new Float64Array(this.times.length * 2);
      for (let i = 0; i < this.count; i++) grown[i] = this.at(i);
      this.times = grown;
      this.start = 0;
    }
    // Times are kept in order even if a caller's clock steps back: a request is never
    // counted as older than the newest one before it.
    const time = this.count > 0 ? Math.max(now, this.at(this.count - 1)) : now;
    this.times[(this.start + this.count) % this.times.length] = time;
    this.count++;
  }
}

const NONE: RateLimitOutcome = { granted: -1, retryAt: Number.POSITIVE_INFINITY, retryBucket: -1 };

export class InMemorySlidingWindowLimiter implements RateLimiter {
  private readonly logs = new Map<string, RequestLog>();
  private usesSinceSweep = 0;

  tryAcquire(buckets: readonly RateLimitBucket[], now: number): RateLimitOutcome {
    const outcome = this.decide(buckets, now, true);
    if (++this.usesSinceSweep >= Math.max(1024, this.logs.size)) this.sweep(now);
    return outcome;
  }

  peek(buckets: readonly RateLimitBucket[], now: number): RateLimitOutcome {
    return this.decide(buckets, now, false);
  }

  /** Number of buckets with requests still in their window (for tests and metrics). */
  get size(): number {
    return this.logs.size;
  }

  private decide(buckets: readonly RateLimitBucket[], now: number, take: boolean): RateLimitOutcome {
    let retryAt = Number.POSITIVE_INFINITY;
    let retryBucket = -1;
    for (let i = 0; i < buckets.length; i++) {
      const bucket = buckets[i]!;
      let log = this.logs.get(bucket.key);
      if (log !== undefined) log.expire(now, bucket.windowMs);
      const used = log?.count ?? 0;
      if (used < bucket.limit) {
        if (take) {
          if (log === undefined) {
            log = new RequestLog();
            this.logs.set(bucket.key, log);
          }
          log.windowMs = bucket.windowMs;
          log.push(now);
        }
        return { granted: i, retryAt: now, retryBucket: i };
      }
      // The request fits once all but limit - 1 of the logged times have expired.
      const freedAt = log!.at(used - bucket.limit) + bucket.windowMs;
      if (freedAt < retryAt) {
        retryAt = freedAt;
        retryBucket = i;
      }
    }
    return retryBucket < 0 ? NONE : { granted: -1, retryAt, retryBucket };
  }

  /** Drops logs whose every time has expired; amortised O(1) per use. */
  private sweep(now: number): void {
    this.usesSinceSweep = 0;
    for (const [key, log] of this.logs) {
      log.expire(now, log.windowMs);
      if (log.count === 0) this.logs.delete(key);
    }
  }
}
