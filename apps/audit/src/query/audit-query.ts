import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditFilter } from '../storage/audit-log.repository';
import { AuditError } from './audit-error';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1_000;

const text = z.string().min(1).max(512);
const time = z.iso.datetime({ offset: true }).transform((v) => new Date(v));
const querySchema = z.strictObject({
  principal: text.optional(),
  model: text.optional(),
  operation: text.optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  cursor: z.string().max(512).optional(),
  format: z.enum(['csv', 'ndjson']).optional(),
});

export interface AuditQuery {
  readonly filter: AuditFilter;
  readonly limit: number;
  /** Events strictly older (smaller seq) than this; null for the first page. */
  readonly beforeSeq: number | null;
  readonly format: 'csv' | 'ndjson' | undefined;
}

/** Query string → filters, page size and position; every problem is an `invalid_request` naming the parameter. */
export function parseAuditQuery(raw: unknown): AuditQuery {
  const parsed = querySchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new AuditError(
      'invalid_request',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; '),
    );
  }
  const { limit, cursor, format, ...rest } = parsed.data;
  const filter: AuditFilter = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  if (filter.from && filter.to && filter.from >= filter.to)
    throw new AuditError('invalid_request', 'from: must be before to');
  return {
    filter,
    limit: limit ?? DEFAULT_PAGE_SIZE,
    beforeSeq: cursor === undefined ? null : decodeCursor(cursor, filter),
    format,
  };
}

/** The filters a cursor was made for: a cursor is only valid with the same filters. */
function fingerprint(filter: AuditFilter): string {
  const f = {
    ...filter,
    from: filter.from?.toISOString(),
    to: filter.to?.toISOString(),
  };
  const canonical = JSON.stringify(
    Object.entries(f)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

/** Opaque to clients: base64url of `{v, s (seq of the last item), f (filter fingerprint)}`. */
export function encodeCursor(lastSeq: number, filter: AuditFilter): string {
  return Buffer.from(JSON.stringify({ v: 1, s: lastSeq, f: fingerprint(filter) })).toString('base64url');
}

export function decodeCursor(cursor: string, filter: AuditFilter): number {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AuditError('invalid_cursor', 'cursor: not a cursor this API issued');
  }
  const c = z.object({ v: z.literal(1), s: z.number().int().positive(), f: z.string() }).safeParse(value);
  if (!c.success) throw new AuditError('invalid_cursor', 'cursor: not a cursor this API issued');
  if (c.data.f !== fingerprint(filter))
    throw new AuditError('invalid_cursor', 'cursor: was issued for other filters; pass the same filters');
  return c.data.s;
}
