// Parsing of the inputs every command shares; commands call these from `static create()`.
import type { PolicySlot } from '@modelgate/contracts';
import { AclError } from '../domain/acl-error';

const MAX_PATTERN_LENGTH = 256;

/** `If-Match: "7"` (the ETag we send) or a bare `7`; absent = unconditional. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const m = /^\s*(?:"(\d{1,9})"|(\d{1,9}))\s*$/.exec(header);
  if (!m) throw new AclError('invalid_request', 'If-Match must be an ETag this API sent, such as "3"');
  return Number(m[1] ?? m[2]);
}

export function parsePattern(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PATTERN_LENGTH) {
    throw new AclError(
      'invalid_request',
      `model must be a name or glob of 1 to ${MAX_PATTERN_LENGTH} characters`,
    );
  }
  return value;
}

export function parseSlot(value: unknown): PolicySlot {
  if (value === undefined || value === 'enforce') return 'enforce';
  if (value === 'shadow') return 'shadow';
  throw new AclError('invalid_request', 'mode must be "enforce" or "shadow"');
}

export function parseFlag(value: unknown, name: string): boolean {
  if (value === undefined || value === 'false' || value === false) return false;
  if (value === 'true' || value === '1' || value === true) return true;
  throw new AclError('invalid_request', `${name} must be true or false`);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Opaque page cursors: base64url of the position. */
export function encodeCursor(position: string | number): string {
  return Buffer.from(String(position), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: unknown): string | null {
  if (cursor === undefined || cursor === '') return null;
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) {
    throw new AclError('invalid_request', 'cursor must be a next_cursor this API returned');
  }
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export function parseLimit(value: unknown, fallback = 50, max = 200): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new AclError('invalid_request', `limit must be from 1 to ${max}`);
  return n;
}
