import { z } from 'zod';
import { hostPortList, ipAddress, logLevel, milliseconds, port, proxyList, url } from './fields';
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

export const redisConfigShape = {
  REDIS_URL: sensitive('REDIS_URL', url(['redis', 'rediss']).optional()),
};

export type ServiceConfig = z.output<z.ZodObject<ReturnType<typeof serviceConfigShape>>>;
export type DatabaseConfig = z.output<z.ZodObject<typeof databaseConfigShape>>;
