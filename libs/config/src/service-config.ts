import { z } from 'zod';
import { booleanFlag, hostPortList, ipAddress, logLevel, milliseconds, port, proxyList, url } from './fields';
import { sensitive } from './load-config';

/** Variables every service reads (ARCHITECTURE.md "Configuration"). */
export const serviceConfigShape = (defaults: { port: number; bindAddress?: string }) => ({
  PORT: port(defaults.port),
  BIND_ADDRESS: ipAddress.default(defaults.bindAddress ?? '127.0.0.1'),
  LOG_LEVEL: logLevel,
  KAFKA_BROKERS: hostPortList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http', 'https']).optional(),
  SHUTDOWN_TIMEOUT_MS: milliseconds(10_000),
  /**
   * Peers whose `X-Forwarded-For` is believed for `request.ip` (default none): set it to the
   * gateway's address so that a service behind it records the caller's address, not the gateway's.
   */
  TRUSTED_PROXIES: proxyList.default([]),
});

export const databaseConfigShape = {
  DATABASE_URL: sensitive(
    'DATABASE_URL',
    url(['postgres', 'postgresql']).default('postgres://postgres@127.0.0.1:5432/modelgate'),
  ),
};

/** A service with a transactional outbox: how its relay to Kafka runs. */
export const outboxConfigShape = {
  /** `false` runs the API without relaying the outbox (another process relays). */
  OUTBOX_RELAY_ENABLED: booleanFlag(true),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  OUTBOX_POLL_MS: milliseconds(1_000),
  OUTBOX_PUBLISH_TIMEOUT_MS: milliseconds(5_000),
  OUTBOX_RESEND_AFTER_MS: milliseconds(30_000),
};

export const redisConfigShape = {
  REDIS_URL: sensitive('REDIS_URL', url(['redis', 'rediss']).optional()),
};

export type ServiceConfig = z.output<z.ZodObject<ReturnType<typeof serviceConfigShape>>>;
export type DatabaseConfig = z.output<z.ZodObject<typeof databaseConfigShape>>;
