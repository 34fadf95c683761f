import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../principal/authentication.error';
import { JwksCache } from './jwks-cache';
import { discoveredJwksLoader } from './oidc-discovery';

async function jwk(kid: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair('ES256');
  return { ...(await exportJWK(publicKey)), kid, alg: 'ES256' };
}

describe('JwksCache', () => {
  it('fetches once, then on an unknown kid at most once per cool-down window', async () => {
    let clock = 0;
    const a = await jwk('a');
    const b = await jwk('b');
    let served = [a];
    let fetches = 0;
    const cache = new JwksCache(
      () => {
        fetches += 1;
        return Promise.resolve({ keys: served });
      },
      { cooldownMs: 30_000, maxAgeMs: 600_000, now: () => clock },
    );
    await cache.getKey({ alg: 'ES256', kid: 'a' });
    await cache.getKey({ alg: 'ES256', kid: 'a' });
    expect(fetches).toBe(1);

    // A flood of unknown kids inside the window: no refetch at all.
    clock = 1_000;
    for (let i = 0; i < 50; i++) {
      await expect(cache.getKey({ alg: 'ES256', kid: `x${i}` })).rejects.toMatchObject({
        reason: 'unknown_key',
      });
    }
    expect(fetches).toBe(1);

    // After the window, a rotated-in key is picked up with one refetch.
    clock = 31_000;
    served = [a, b];
    await expect(cache.getKey({ alg: 'ES256', kid: 'b' })).resolves.toBeDefined();
    expect(fetches).toBe(2);
  });

  it('shares one fetch among concurrent callers', async () => {
    const a = await jwk('a');
    let fetches = 0;
    const cache = new JwksCache(async () => {
      fetches += 1;
      await new Promise((r) => setTimeout(r, 10));
      return { keys: [a] };
    });
    await Promise.all(Array.from({ length: 20 }, () => cache.getKey({ alg: 'ES256', kid: 'a' })));
    expect(fetches).toBe(1);
  });

  it('keeps serving old keys when a refresh fails, and refuses when it never had keys', async () => {
    let clock = 0;
    const a = await jwk('a');
    let fail = false;
    const cache = new JwksCache(
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve({ keys: [a] })),
      {
        maxAgeMs: 1_000,
        cooldownMs: 100,
        now: () => clock,
      },
    );
    await cache.getKey({ alg: 'ES256', kid: 'a' });
    fail = true;
    clock = 5_000;
    await expect(cache.getKey({ alg: 'ES256', kid: 'a' })).resolves.toBeDefined();

    const never = new JwksCache(() => Promise.reject(new Error('down')));
    await expect(never.getKey({ alg: 'ES256', kid: 'a' })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(never.getKey({ alg: 'ES256', kid: 'a' })).rejects.toMatchObject({
      reason: 'keys_unavailable',
    });
  });

  it('refuses a body that is not a JWKS', async () => {
    const cache = new JwksCache(() => Promise.resolve({ nope: true } as never));
    await expect(cache.getKey({ alg: 'ES256', kid: 'a' })).rejects.toMatchObject({
      reason: 'keys_unavailable',
    });
  });
});

describe('discoveredJwksLoader', () => {
  const fetcher = (docs: Record<string, unknown>) => (url: string) =>
    url in docs ? Promise.resolve(docs[url]) : Promise.reject(new Error(`404 ${url}`));

  it('follows jwks_uri of a discovery document naming the same issuer', async () => {
    const load = discoveredJwksLoader(
      'https://idp.test',
      fetcher({
        'https://idp.test/.well-known/openid-configuration': {
          issuer: 'https://idp.test',
          jwks_uri: 'https://idp.test/jwks',
        },
        'https://idp.test/jwks': { keys: [] },
      }),
    );
    await expect(load()).resolves.toEqual({ keys: [] });
  });

  it('refuses a discovery document naming another issuer (mix-up) or an http jwks_uri', async () => {
    const mixup = discoveredJwksLoader(
      'https://idp.test',
      fetcher({
        'https://idp.test/.well-known/openid-configuration': {
          issuer: 'https://evil.test',
          jwks_uri: 'https://evil.test/jwks',
        },
      }),
    );
    await expect(mixup()).rejects.toThrow(/names issuer/);
    const plain = discoveredJwksLoader(
      'https://idp.test',
      fetcher({
        'https://idp.test/.well-known/openid-configuration': {
          issuer: 'https://idp.test',
          jwks_uri: 'http://idp.test/jwks',
        },
      }),
    );
    await expect(plain()).rejects.toThrow(/https/);
  });
});

describe('JwksCache.invalidate', () => {
  it('reloads on the next token even inside the cool-down', async () => {
    const jwk1 = await jwk('k1');
    const jwk2 = await jwk('k2');
    let published = [jwk1];
    const cache = new JwksCache(() => Promise.resolve({ keys: published }), { cooldownMs: 60_000 });
    await cache.getKey({ alg: 'ES256', kid: 'k1' });
    published = [jwk1, jwk2];
    await expect(cache.getKey({ alg: 'ES256', kid: 'k2' })).rejects.toThrow(); // cool-down holds
    cache.invalidate();
    await expect(cache.getKey({ alg: 'ES256', kid: 'k2' })).resolves.toBeDefined();
    expect(cache.fetches).toBe(2);
  });
});
