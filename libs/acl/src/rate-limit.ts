// `rate_limit`: at most N checks per sliding window, per principal per model per rule. The
// evaluator only decides which rules' buckets to try; counting lives behind `RateLimiter`
// (in memory here, shared in Redis when the decision service runs more than one replica).
import type { RateLimitSpec } from './policy';

const WINDOW_MS = { s: 1_000, sec: 1_000, min: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const CANONICAL_UNIT = { s: 's', sec: 's', min: 'min', hour: 'hour', day: 'day' } as const;
type Unit = keyof typeof WINDOW_MS;
const RATE_LIMIT = /^([1-9][0-9]{0,8}) *req *\/ *(s|sec|min|hour|day)$/;

export const RATE_LIMIT_FORMAT = '"<N> req/<s|min|hour|day>"';

/** `100req/min`, `100 req/min`, `5 req / s`…; null when not exactly that shape. */
export function parseRateLimit(text: string): RateLimitSpec | null {
  const m = RATE_LIMIT.exec(text);
  if (!m) return null;
  const unit = m[2] as Unit;
  const limit = Number(m[1]);
  return { limit, windowMs: WINDOW_MS[unit], text: `${limit} req/${CANONICAL_UNIT[unit]}` };
}

/** One counter the evaluator asks about: a rule's allowance for one principal on one model. */
export interface RateLimitBucket {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimitOutcome {
  /** Index of the bucket that took (or, for `peek`, would take) the request; -1 when none. */
  readonly granted: number;
  /** When none: the earliest epoch ms at which one of the buckets would take a request. */
  readonly retryAt: number;
  /** When none: index of the bucket that frees up first (the one `retryAt` belongs to). */
  readonly retryBucket: number;
}

/**
 * Counters for rate-limited rules. `tryAcquire` takes the request in the first bucket, in
 * the order given, that has room, as one atomic step (a Redis implementation does it in one
 * script). `peek` answers the same question without counting anything.
 */
export interface RateLimiter {
  tryAcquire(buckets: readonly RateLimitBucket[], now: number): RateLimitOutcome;
  peek(buckets: readonly RateLimitBucket[], now: number): RateLimitOutcome;
}

/** The same contract for a limiter behind the network; only `checkAsync` uses it. */
export interface AsyncRateLimiter {
  tryAcquire(buckets: readonly RateLimitBucket[], now: number): Promise<RateLimitOutcome>;
}
