import { describe, expect, it } from 'vitest';
import { IdentityException } from '../errors/identity.exception';
import { decodeCursor, encodeCursor, pageOf } from './cursor';

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IdentityException);
    expect((e as IdentityException).code).toBe('invalid_request');
    return (e as IdentityException).message;
  }
  throw new Error('accepted');
};

describe('list cursors', () => {
  it('round-trips the last id for the same list', () => {
    expect(decodeCursor(encodeCursor('abc', 'keys:bob@company.com'), 'keys:bob@company.com')).toBe('abc');
  });

  it('refuses a cursor made for another list (another owner)', () => {
    const mine = encodeCursor('abc', 'keys:bob@company.com');
    expect(refusal(() => decodeCursor(mine, 'keys:admin@company.com'))).toMatch(
      /^cursor: was issued for another list/,
    );
  });

  it.each([
    ['not base64url', 'a+b/c=='],
    ['not JSON', Buffer.from('{oops').toString('base64url')],
    ['JSON of the wrong shape', Buffer.from('{"v":1}').toString('base64url')],
    ['another version', Buffer.from('{"v":2,"a":"x","l":"123456789012"}').toString('base64url')],
    ['extra fields', Buffer.from('{"v":1,"a":"x","l":"123456789012","owner":"admin"}').toString('base64url')],
    [
      'an oversized id',
      Buffer.from(JSON.stringify({ v: 1, a: 'x'.repeat(300), l: '123456789012' })).toString('base64url'),
    ],
    ['JSON null', Buffer.from('null').toString('base64url')],
  ])('refuses %s with a 400 naming cursor', (_case, cursor) => {
    expect(refusal(() => decodeCursor(cursor, 'keys:bob@company.com'))).toMatch(/^cursor: /);
  });

  it('pages: next cursor only when a row beyond the limit exists', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `k${i}` }));
    expect(pageOf(ids(2), 2, (r) => r.id)).toEqual({ items: ids(2), nextCursor: null });
    expect(pageOf(ids(3), 2, (r) => r.id)).toEqual({ items: ids(2), nextCursor: 'k1' });
  });
});
