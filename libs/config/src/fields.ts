import { isIP } from 'node:net';
import { z } from 'zod';

/** Reusable field types so that every service parses the same variable the same way. */
export const port = (fallback: number) =>
  z.coerce
    .number({ message: 'expected a TCP port number' })
    .int('expected a whole number')
    .min(1, 'expected a port from 1 to 65535')
    .max(65535, 'expected a port from 1 to 65535')
    .default(fallback);

export const url = (protocols: readonly string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `expected a URL (${protocols.map((p) => `${p}://`).join(' or ')}...)` },
  );

/** Comma-separated `host:port` list, as Kafka clients take it. */
export const hostPortList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length > 0 && list.every((hp) => /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(hp)), {
    message: 'expected a comma-separated list of host:port',
  });

export const milliseconds = (fallback: number) =>
  z.coerce.number({ message: 'expected milliseconds' }).int().min(0).default(fallback);

export const logLevel = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const ipAddress = z.string().refine((v) => /^[0-9.]+$|^[0-9a-fA-F:]+$|^localhost$/.test(v), {
  message: 'expected an IP address to bind to (127.0.0.1, 0.0.0.0, ::)',
});

/** Comma-separated values, trimmed, empties dropped: `a, b,,c` → `['a','b','c']`. */
export const commaList = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Comma-separated URLs of the given protocols (OIDC issuers, backends). */
export const urlList = (protocols: readonly string[]) =>
  commaList.refine(
    (list) =>
      list.every((v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      }),
    {
      message: `expected a comma-separated list of URLs (${protocols.map((p) => `${p}://`).join(' or ')}...)`,
    },
  );

/** `true` or `false`, nothing else: `FOO=yes` is a mistake worth stopping for. */
export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false'], { message: 'expected true or false' })
    .transform((v) => v === 'true')
    .default(fallback);

/** A Kafka topic name as the broker accepts it. */
export const kafkaTopic = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name')
    .default(fallback);

/** A whole number from 1 to `max`. */
export const positiveInt = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ message: 'expected a whole number' })
    .int('expected a whole number')
    .min(1, 'expected a whole number of at least 1')
    .max(max, `expected a whole number of at most ${max}`)
    .default(fallback);

/**
 * Comma-separated IP addresses or CIDRs (`10.0.0.0/8, 127.0.0.1`): the peers whose
 * `X-Forwarded-For` a service believes. Checked loosely here (the gateway re-parses its list
 * with libs/acl's strict rules); Fastify's trust list takes the same text.
 */
export const proxyList = commaList.refine(
  (list) =>
    list.every((entry) => {
      const [address, prefix, extra] = entry.split('/');
      if (extra !== undefined || address === undefined || isIP(address) === 0) return false;
      if (prefix === undefined) return true;
      const max = isIP(address) === 4 ? 32 : 128;
      return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max;
    }),
  { message: 'expected a comma-separated list of IP addresses or CIDRs (10.0.0.0/8, ::1)' },
);
