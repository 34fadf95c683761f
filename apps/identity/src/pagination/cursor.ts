import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IdentityException } from '../errors/identity.exception';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `limit` and `cursor` of every identity list (ARCHITECTURE.md list shape). */
export const pageQueryShape = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(512).optional(),
};

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** `rows` holds up to limit + 1 rows: the extra one only says that another page exists. */
export function pageOf<T>(rows: T[], limit: number, cursorAfter: (last: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? cursorAfter(items.at(-1)!) : null };
}

const fingerprint = (list: string) => createHash('sha256').update(list).digest('base64url').slice(0, 12);

/**
 * Opaque to clients: base64url of `{v, a (id of the last item), l (which list)}`. Not signed:
 * a forged cursor can only move within the list the caller may read anyway (the owner
 * filter is applied again on every page), and one made for another list is refused.
 */
export function encodeCursor(afterId: string, list: string): string {
  return Buffer.from(JSON.stringify({ v: 1, a: afterId, l: fingerprint(list) })).toString('base64url');
}

const cursorSchema = z.strictObject({
  v: z.literal(1),
  a: z.string().min(1).max(256),
  l: z.string().length(12),
});

/** The id a page starts after; a cursor that is not one this API issued for this list is a 400 naming `cursor`. */
export function decodeCursor(cursor: string, list: string): string {
  const bad = (why: string) => new IdentityException('invalid_request', `cursor: ${why}`);
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad('not a cursor this API issued');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor this API issued');
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) throw bad('not a cursor this API issued');
  if (parsed.data.l !== fingerprint(list)) throw bad('was issued for another list; start again without it');
  return parsed.data.a;
}

/** The cursor names an item this list does not hold (it was forged or edited). */
export function unknownCursorItem(): IdentityException {
  return new IdentityException('invalid_request', 'cursor: does not point into this list');
}
