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
