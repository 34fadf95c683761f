import { describe, expect, it } from 'vitest';
import { AuthenticationError, type Principal } from '@modelgate/auth';
import { PrincipalCache, type WhoAmI } from './principal-cache';

const KEY = `mg_0123456789abcdef_${'a'.repeat(43)}`;

function principal(over: Partial<Principal['credential']> = {}, id = 'bob@company.com'): Principal {
  return {
    id,
    type: 'user',
    roles: ['partner'],
    groups: ['partners'],
    credential: { kind: 'api_key', issuer: 'http://identity', keyId: '0123456789abcdef', ...over },
  };
}

class FakeIdentity implements WhoAmI {
  calls: string[] = [];
  answer: () => Promise<Principal> = () => Promise.resolve(principal());
  whoami(authorization: string): Promise<Principal> {
    this.calls.push(authorization);
    return this.answer();
  }
}

describe('PrincipalCache', () => {
  it('asks identity once per credential within the TTL, then again', async () => {
    let now = 1_000_000;
    const identity = new FakeIdentity();
    const cache = new PrincipalCache(identity, 10_000, 100, () => now);
    await cache.resolve(`Bearer ${KEY}`);
    await cache.resolve(`Bearer ${KEY}`);
    expect(identity.calls).toEqual([`Bearer ${KEY}`]);
    now += 10_001;
    await cache.resolve(`Bearer ${KEY}`);
    expect(identity.calls).toHaveLength(2);
  });

  it('never keeps a principal past its credential expiry', async () => {
    let now = 1_000_000;
    const identity = new FakeIdentity();
    identity.answer = () => Promise.resolve(principal({ expiresAt: (now + 2_000) / 1000 }));
    const cache = new PrincipalCache(identity, 60_000, 100, () => now);
    await cache.resolve(`Bearer ${KEY}`);
    now += 2_001;
    await cache.resolve(`Bearer ${KEY}`);
    expect(identity.calls).toHaveLength(2);
  });

  it('shares one lookup between concurrent first uses', async () => {
    const identity = new FakeIdentity();
    const cache = new PrincipalCache(identity, 10_000);
    await Promise.all([1, 2, 3].map(() => cache.resolve(`Bearer ${KEY}`)));
    expect(identity.calls).toHaveLength(1);
  });

  it('forgets revoked keys and disabled principals at once, even mid-lookup', async () => {
    const identity = new FakeIdentity();
    const cache = new PrincipalCache(identity, 60_000);
    await cache.resolve(`Bearer ${KEY}`);
    cache.dropKey('0123456789abcdef');
    expect(cache.size).toBe(0);
    await cache.resolve(`Bearer ${KEY}`);
    cache.dropPrincipal('bob@company.com');
    expect(cache.size).toBe(0);
    // A lookup answered after a revocation it raced with is used once but not kept.
    let release!: (p: Principal) => void;
    identity.answer = () => new Promise((r) => (release = r));
    const racing = cache.resolve(`Bearer ${KEY}`);
    cache.dropKey('0123456789abcdef');
    release(principal());
    await racing;
    expect(cache.size).toBe(0);
  });

  it('refuses missing, malformed and oversized credentials without asking identity', async () => {
    const identity = new FakeIdentity();
    const cache = new PrincipalCache(identity, 10_000);
    const reasons: string[] = [];
    for (const header of [
      undefined,
      '',
      'Basic abc',
      'Bearer',
      'Bearer  two spaces',
      `Bearer ${'x'.repeat(20_000)}`,
      ['Bearer a', 'Bearer b'],
      'Bearer a\u0000b',
    ]) {
      const error = await cache.resolve(header).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      reasons.push((error as AuthenticationError).reason);
    }
    expect(reasons).toEqual([
      'missing',
      'malformed',
      'malformed',
      'malformed',
      'malformed',
      'too_large',
      'malformed',
      'malformed',
    ]);
    expect(identity.calls).toEqual([]);
  });

  it('does not remember failures', async () => {
    const identity = new FakeIdentity();
    identity.answer = () => Promise.reject(new AuthenticationError('invalid_credentials'));
    const cache = new PrincipalCache(identity, 10_000);
    await expect(cache.resolve(`Bearer ${KEY}`)).rejects.toBeInstanceOf(AuthenticationError);
    identity.answer = () => Promise.resolve(principal());
    await expect(cache.resolve(`Bearer ${KEY}`)).resolves.toMatchObject({ id: 'bob@company.com' });
  });
});
