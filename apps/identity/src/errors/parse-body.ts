import type { z } from 'zod';
import { IdentityException } from './identity.exception';

/** Validates a request body (or, with `where: 'query'`, a query string); the 400 names each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new IdentityException(
      'invalid_request',
      result.error.issues.map((i) => `${i.path.join('.') || where}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}
