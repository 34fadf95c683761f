// Shared rate limits in the real Redis: the Lua sliding window has the in-memory limiter's
// semantics (the rate-limit YAML cases of libs/acl pass through it), holds across replicas,
// and a replica whose Redis is gone counts locally and says so.
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PolicyIndex,
  checkAsync,
  parsePolicyDocument,
  type CheckRequest,
  type PolicyDocument,
} from '@modelgate/acl';
import { createLogger } from '@modelgate/telemetry';
import { infraEndpoints } from '@modelgate/testing';
import { DECISION_CASES_DIRECTORY, loadDecisionSuite } from '@modelgate/acl/testing';
import { Metrics } from '../metrics/metrics';
import { DecisionRateLimiter } from './rate-limiter';
import { RedisSlidingWindowLimiter } from './redis-sliding-window.limiter';

const url = infraEndpoints().redisUrl;
const clients: Redis[] = [];
const client = (target = url) => {
  const redis = new Redis(target, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    lazyConnect: true,
  });
  redis.on('error', () => undefined);
  clients.push(redis);
  return redis;
};
const prefix = () => `test:rl:${randomBytes(5).toString('hex')}:`;

afterAll(() => {
  for (const redis of clients) redis.disconnect();
});

describe('RedisSlidingWindowLimiter', () => {
  it('passes the rate-limit decision cases of libs/acl', async () => {
    const suite = loadDecisionSuite(`${DECISION_CASES_DIRECTORY}/rate-limit.yaml`);
    const index = PolicyIndex.from(
      suite.policies.map(({ document, version }) => ({
        document: (parsePolicyDocument(document) as { value: PolicyDocument }).value,
        version,
      })),
    );
    const redis = client();
    await redis.connect();
    const limiter = new RedisSlidingWindowLimiter(redis, prefix());
    const failures: string[] = [];
    for (const c of suite.cases) {
      const d = await checkAsync(
        index,
        {
          principal: c.principal,
          model: c.model,
          operation: c.operation,
          context: c.context,
        } as CheckRequest,
        limiter,
      );
      const want = c.expect;
      const retryOk =
        want.retry_at === undefined ||
        (d.retryAt !== null && new Date(d.retryAt).toISOString() === new Date(want.retry_at).toISOString());
      if (
        d.allow !== want.allow ||
        (want.reason !== undefined && d.reason !== want.reason) ||
        (want.rule_id !== undefined && d.ruleId !== want.rule_id) ||
        !retryOk
      ) {
        failures.push(`${c.name}: got ${JSON.stringify(d)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('holds one limit across replicas', async () => {
    const shared = prefix();
    const replicas = await Promise.all(
      [client(), client()].map((redis) =>
        redis.connect().then(() => new RedisSlidingWindowLimiter(redis, shared)),
      ),
    );
    const bucket = [{ key: 'user:dana|m|r', limit: 5, windowMs: 60_000 }];
    const now = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => replicas[i % 2]!.tryAcquire(bucket, now + i)),
    );
    expect(outcomes.filter((o) => o.granted === 0)).toHaveLength(5);
    expect(outcomes.filter((o) => o.granted === -1).every((o) => o.retryAt === now + 60_000)).toBe(true);
  });
});

describe('DecisionRateLimiter', () => {
  it('counts per replica when Redis fails, and says so', async () => {
    const metrics = new Metrics();
    const dead = client('redis://127.0.0.1:1');
    const limiter = new DecisionRateLimiter(
      new RedisSlidingWindowLimiter(dead, prefix()),
      50,
      metrics,
      createLogger('test', 'silent'),
    );
    const bucket = [{ key: 'k', limit: 2, windowMs: 60_000 }];
    const now = Date.now();
    const granted = [];
    for (let i = 0; i < 3; i++) granted.push((await limiter.tryAcquire(bucket, now)).granted);
    expect(granted).toEqual([0, 0, -1]);
    expect(limiter.backend).toBe('memory_fallback');
    expect(metrics.value('modelgate_decision_rate_limit_fallbacks_total')).toBe(3);
    expect(metrics.value('modelgate_decision_rate_limit_shared')).toBe(0);
  });
});
