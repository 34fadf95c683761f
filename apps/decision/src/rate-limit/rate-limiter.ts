// The limiter checks use: in memory with one replica; with REDIS_URL, shared counters in
// Redis so that a limit holds across replicas. When Redis does not answer (down, or slower
// than REDIS_TIMEOUT_MS) the check counts in this replica's memory instead: a limit then holds
// per replica only, which the metrics (modelgate_decision_rate_limit_backend) and a log line
// at each change say.
import {
  InMemorySlidingWindowLimiter,
  type AsyncRateLimiter,
  type RateLimitBucket,
  type RateLimitOutcome,
  type RateLimiter,
} from '@modelgate/acl';
import type { Logger } from '@modelgate/telemetry';
import type { Metrics } from '../metrics/metrics';

const PROBE_INTERVAL_MS = 1_000;

export type LimiterBackend = 'memory' | 'redis' | 'memory_fallback';

export class DecisionRateLimiter implements AsyncRateLimiter {
  /** This replica's counters: the only ones without Redis, the fallback with it. */
  readonly local: RateLimiter = new InMemorySlidingWindowLimiter();
  private degraded = false;
  /** While degraded, Redis is asked again only from this time on (one probe per interval). */
  private nextProbeAt = 0;
  private readonly countFallback: () => void;

  constructor(
    private readonly shared: AsyncRateLimiter | null,
    private readonly timeoutMs: number,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.countFallback = metrics.counter(
      'modelgate_decision_rate_limit_fallbacks_total',
      'Rate-limited checks counted in replica memory because Redis failed or was failing.',
    );
    metrics.collected(
      'modelgate_decision_rate_limit_shared',
      '1 while limits hold across replicas (Redis answering).',
      () => (this.backend === 'redis' ? 1 : 0),
    );
  }

  get backend(): LimiterBackend {
    if (this.shared === null) return 'memory';
    return this.degraded ? 'memory_fallback' : 'redis';
  }

  /** Synchronous when there is no Redis: the in-memory limiter directly (the fast path). */
  get synchronous(): RateLimiter | null {
    return this.shared === null ? this.local : null;
  }

  async tryAcquire(buckets: readonly RateLimitBucket[], now: number): Promise<RateLimitOutcome> {
    if (this.shared === null) return this.local.tryAcquire(buckets, now);
    if (this.degraded && Date.now() < this.nextProbeAt) {
      this.countFallback();
      return this.local.tryAcquire(buckets, now);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const outcome = await Promise.race([
        this.shared.tryAcquire(buckets, now),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis did not answer in ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
      if (this.degraded) {
        this.degraded = false;
        this.logger.info('rate limits: Redis answers again; limits hold across replicas');
      }
      return outcome;
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.logger.warn({ err: error }, 'rate limits: Redis failed; counting per replica until it answers');
      }
      this.nextProbeAt = Date.now() + PROBE_INTERVAL_MS;
      this.countFallback();
      return this.local.tryAcquire(buckets, now);
    } finally {
      clearTimeout(timer);
    }
  }
}
