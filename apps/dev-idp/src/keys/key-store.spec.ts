import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateKeys, rsaThumbprint } from './key-store';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-idp-keys-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadOrCreateKeys', () => {
  it('generates an RS256 key once and loads the same key afterwards', () => {
    const dir = join(tempDir(), 'nested');
    const first = loadOrCreateKeys(dir);
    expect(first.created).toBe(true);
    const [key] = first.keys.signingKeys;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(key?.kid).toBe(rsaThumbprint(key ?? {}));
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);

    const second = loadOrCreateKeys(dir);
    expect(second.created).toBe(false);
    expect(second.keys).toEqual(first.keys);
  });

  it('refuses a damaged key file instead of silently replacing the keys', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keys.json'), JSON.stringify({ version: 1, signingKeys: [] }));
    expect(() => loadOrCreateKeys(dir)).toThrow(/not a dev-idp key file/);
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).toContain('signingKeys');
  });
});

describe('rsaThumbprint', () => {
  it('matches the RFC 7638 example', () => {
    const n =
      '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
    expect(rsaThumbprint({ e: 'AQAB', n })).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
