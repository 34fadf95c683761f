// Rate-limit counters shared by replicas: the same exact sliding-window log as the in-memory
// limiter of @modelgate/acl (a request counts until exactly `time + window`), one sorted set
// per bucket, decided for all of a check's buckets by one Lua script: atomic, one round trip.
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import type { AsyncRateLimiter, RateLimitBucket, RateLimitOutcome } from '@modelgate/acl';

// KEYS: the buckets' keys, in order. ARGV: now, a member id unique to this request, then per
// bucket its limit and window (ms). Answers {granted, retryAt, retryBucket} as the acl
// RateLimiter contract defines them (-1 for none; retryAt -1 for "never" when no bucket).
export const SLIDING_WINDOW_SCRIPT = `
local now = tonumber(ARGV[1])
local member = ARGV[2]
local retryAt = -1
local retryBucket = -1
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local used = redis.call('ZCARD', key)
  if used < limit then
    local time = now
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    if newest[2] ~= nil and tonumber(newest[2]) > time then time = tonumber(newest[2]) end
    redis.call('ZADD', key, time, member)
    redis.call('PEXPIRE', key, window + 1000)
    return {i - 1, now, i - 1}
  end
  local freed = redis.call('ZRANGE', key, used - limit, used - limit, 'WITHSCORES')
  local freedAt = tonumber(freed[2]) + window
  if retryBucket < 0 or freedAt < retryAt then
    retryAt = freedAt
    retryBucket = i - 1
  end
end
return {-1, retryAt, retryBucket}
`;

interface SlidingWindowRedis extends Redis {
  modelgateSlidingWindow(...args: (string | number)[]): Promise<[number, number, number]>;
}

export class RedisSlidingWindowLimiter implements AsyncRateLimiter {
  private readonly redis: SlidingWindowRedis;
  private readonly memberPrefix = randomBytes(6).toString('hex');
  private sequence = 0;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
  ) {
    redis.defineCommand('modelgateSlidingWindow', { lua: SLIDING_WINDOW_SCRIPT });
    this.redis = redis as SlidingWindowRedis;
  }

  async tryAcquire(buckets: readonly RateLimitBucket[], now: number): Promise<RateLimitOutcome> {
    const args: (string | number)[] = [buckets.length];
    for (const bucket of buckets) args.push(this.keyPrefix + bucket.key);
    args.push(now, `${this.memberPrefix}:${++this.sequence}`);
    for (const bucket of buckets) args.push(bucket.limit, bucket.windowMs);
    const [granted, retryAt, retryBucket] = await this.redis.modelgateSlidingWindow(...args);
    return { granted, retryAt: retryBucket < 0 ? Number.POSITIVE_INFINITY : retryAt, retryBucket };
  }
}
