import { describe, expect, it } from 'vitest';
import { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from './api-key';

describe('API keys', () => {
  it('have the mg_ prefix, a 64-bit id and 256 bits of secret', () => {
    const key = generateApiKey();
    expect(key.secret).toMatch(/^mg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.secret.slice(20), 'base64url')).toHaveLength(32);
    expect(parseApiKey(key.secret)).toEqual({ id: key.id });
    expect(key.hash).toBe(hashApiKey(key.secret));
    expect(key.hash).not.toContain(key.secret.slice(20));
  });

  it('are different every time', () => {
    const ids = new Set(Array.from({ length: 200 }, () => generateApiKey().secret));
    expect(ids.size).toBe(200);
  });

  it('match only their own hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatches(a.secret, a.hash)).toBe(true);
    expect(apiKeyMatches(b.secret, a.hash)).toBe(false);
    expect(apiKeyMatches(a.secret, 'abcd')).toBe(false);
    expect(apiKeyMatches(a.secret, '')).toBe(false);
    // One changed character of the secret.
    const last = a.secret.at(-1) === 'A' ? 'B' : 'A';
    expect(apiKeyMatches(a.secret.slice(0, -1) + last, a.hash)).toBe(false);
  });

  it.each([
    '',
    'mg_',
    'mg_0123456789abcdef',
    'mg_0123456789ABCDEF_' + 'a'.repeat(43),
    'mg_0123456789abcdef_' + 'a'.repeat(42),
    'mg_0123456789abcdef_' + 'a'.repeat(44),
    'mg_0123456789abcdef_' + 'a'.repeat(42) + '=',
    'sk_0123456789abcdef_' + 'a'.repeat(43),
    'mg_0123456789abcdef_' + 'a'.repeat(42) + '\n',
  ])('refuse malformed key %j', (value) => {
    expect(parseApiKey(value)).toBeUndefined();
  });
});
