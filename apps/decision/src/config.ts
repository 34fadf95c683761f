import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import {
  kafkaTopic,
  milliseconds,
  port,
  positiveInt,
  redisConfigShape,
  serviceConfigShape,
} from '@modelgate/config';
import { TOPICS, deadLetterTopic } from '@modelgate/contracts';

/** Everything the decision service reads from its environment, validated at start. */
export const decisionConfigSchema = z.object({
  ...serviceConfigShape({ port: 3003 }),
  ...redisConfigShape,
  GRPC_PORT: port(50051),
  /** Distinguishes replicas in records, logs and the per-replica consumer group. */
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 of A-Z a-z 0-9 . _ -')
    .default(
      `${hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 40)}-${process.pid}`,
    ),
  /** A replica whose policy feed has not fetched for longer than this is not ready and denies. */
  MAX_STALENESS_MS: milliseconds(30_000).refine((v) => v >= 1_000, 'expected at least 1000 ms'),
  POLICY_STATE_TOPIC: kafkaTopic(TOPICS.policyState),
  POLICY_EVENTS_TOPIC: kafkaTopic(TOPICS.policyEvents),
  IDENTITY_EVENTS_TOPIC: kafkaTopic(TOPICS.identityEvents),
  DECISIONS_TOPIC: kafkaTopic(TOPICS.decisions),
  POLICY_DLQ_TOPIC: kafkaTopic(deadLetterTopic(TOPICS.policyEvents, 'decision')),
  IDENTITY_DLQ_TOPIC: kafkaTopic(deadLetterTopic(TOPICS.identityEvents, 'decision')),
  /** Where decision records wait while Kafka is unreachable; relative to the working directory. */
  SPOOL_DIR: z
    .string()
    .min(1)
    .default('.run/data/decision-spool')
    .transform((dir) => (isAbsolute(dir) ? dir : resolve(process.cwd(), dir))),
  /** Records (in memory and spooled) the replica may hold unsent; past it, checks are denied. */
  SPOOL_MAX_BYTES: positiveInt(256 * 1024 * 1024),
  /**
   * Longest a batch of records waits in memory before it is sent. Each send costs the
   * replica and the broker about a millisecond of CPU whatever its size, so this bounds
   * the sends to 10 a second; audit sees a record at most this much later. (20 ms cost the
   * broker ~190 µs of CPU a request at 500 gateway requests/s, 100 ms ~55 µs: CPU the
   * gateway's path shares; bench/gateway/README.md.)
   */
  RECORD_LINGER_MS: milliseconds(100).refine((v) => v <= 1_000, 'expected at most 1000 ms'),
  RECORD_BATCH_SIZE: positiveInt(1_000, 100_000),
  /** How long a batch may take to reach Kafka before it goes to the spool instead. */
  RECORD_SEND_TIMEOUT_MS: milliseconds(3_000).refine((v) => v >= 100, 'expected at least 100 ms'),
  /** Prefix of the Redis keys of rate-limit counters (replicas sharing limits share it). */
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).max(64).default('modelgate:rl:'),
  /** Longest a Redis rate-limit round trip may take before the replica counts locally. */
  REDIS_TIMEOUT_MS: milliseconds(50).refine((v) => v >= 1, 'expected at least 1 ms'),
});

export type DecisionConfig = z.output<typeof decisionConfigSchema>;
