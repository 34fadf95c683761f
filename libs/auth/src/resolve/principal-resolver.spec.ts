import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../api-key/api-key';
import { claimPreset } from '../principal/claim-mapping';
import { JwksCache } from '../jwt/jwks-cache';
import { JwtVerifier } from '../jwt/jwt-verifier';
import { CachingApiKeyStore, type ApiKeyRecord, type ApiKeyStore } from './api-key-store';
import { bearerCredential, PrincipalResolver } from './principal-resolver';

const IDENTITY = 'http://identity.test';
const OIDC = 'http://idp.test';
const NOW = 1_800_000_000_000;

class MapStore implements ApiKeyStore {
  readonly records = new Map<string, ApiKeyRecord>();
  readonly touched: string[] = [];
  lookups = 0;
  findById(id: string): Promise<ApiKeyRecord | undefined> {
    this.lookups += 1;
    return Promise.resolve(this.records.get(id));
  }
  touch(id: string): void {
    this.touched.push(id);
  }
}

describe('PrincipalResolver', () => {
  let identityKey: CryptoKey;
  let oidcKey: CryptoKey;
  let resolver: PrincipalResolver;
  const store = new MapStore();
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    id: key.id,
    hash: key.hash,
    ownerId: 'ci-bot',
    ownerType: 'service_account',
    roles: ['deployer'],
    groups: [],
    models: ['qwen3-*'],
    operations: ['infer'],
    expiresAt: null,
    revoked: false,
    ownerDisabled: false,
  };

  const token = (k: CryptoKey, kid: string, payload: JWTPayload) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuedAt(NOW / 1000 - 5)
      .setExpirationTime(NOW / 1000 + 300)
      .sign(k);

  beforeAll(async () => {
    const a = await generateKeyPair('ES256');
    const b = await generateKeyPair('ES256');
    identityKey = a.privateKey;
    oidcKey = b.privateKey;
    const jwks = async (pub: CryptoKey, kid: string) => ({ keys: [{ ...(await exportJWK(pub)), kid }] });
    const idKeys = await jwks(a.publicKey, 'id1');
    const oidcKeys = await jwks(b.publicKey, 'op1');
    const verifier = new JwtVerifier(
      [
        { issuer: IDENTITY, audience: ['modelgate'], keys: new JwksCache(() => Promise.resolve(idKeys)) },
        { issuer: OIDC, audience: ['modelgate'], keys: new JwksCache(() => Promise.resolve(oidcKeys)) },
      ],
      { now: () => new Date(NOW) },
    );
    store.records.set(key.id, record);
    resolver = new PrincipalResolver({
      verifier,
      identityIssuer: IDENTITY,
      claimMappings: new Map([[OIDC, claimPreset('keycloak')]]),
      groupRoles: { auditors: ['auditor', 'acl-viewer'] },
      apiKeys: store,
      now: () => NOW,
    });
  });

  it('resolves identity tokens from their own claims', async () => {
    const t = await token(identityKey, 'id1', {
      iss: IDENTITY,
      aud: 'modelgate',
      sub: 'alice@company.com',
      principal_type: 'user',
      roles: ['researcher'],
      groups: ['researchers'],
    });
    await expect(resolver.resolve(t)).resolves.toMatchObject({
      id: 'alice@company.com',
      type: 'user',
      roles: ['researcher'],
      groups: ['researchers'],
      credential: { kind: 'identity_token', issuer: IDENTITY },
    });
  });

  it('refuses an identity token without principal_type', async () => {
    const t = await token(identityKey, 'id1', { iss: IDENTITY, aud: 'modelgate', sub: 'x' });
    await expect(resolver.resolve(t)).rejects.toMatchObject({ reason: 'bad_claims' });
  });

  it('resolves OIDC tokens through the claim mapping and the group → role map', async () => {
    const t = await token(oidcKey, 'op1', {
      iss: OIDC,
      aud: 'modelgate',
      sub: '123',
      email: 'Carol@Company.com',
      groups: ['auditors'],
      realm_access: { roles: ['offline_access'] },
    });
    await expect(resolver.resolve(t)).resolves.toMatchObject({
      id: 'carol@company.com',
      roles: ['acl-viewer', 'auditor', 'offline_access'],
      groups: ['auditors'],
      credential: { kind: 'oidc_token', issuer: OIDC },
    });
  });

  it('does not let an OIDC issuer mint identity-style claims for another issuer', async () => {
    // Signed by the OIDC key but claiming identity's issuer: the signature does not verify.
    const t = await token(oidcKey, 'id1', {
      iss: IDENTITY,
      aud: 'modelgate',
      sub: 'admin@company.com',
      principal_type: 'user',
      roles: ['acl-admin'],
    });
    await expect(resolver.resolve(t)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('resolves an API key to its owner with the key scope', async () => {
    await expect(resolver.resolve(key.secret)).resolves.toEqual({
      id: 'ci-bot',
      type: 'service_account',
      roles: ['deployer'],
      groups: [],
      credential: {
        kind: 'api_key',
        issuer: IDENTITY,
        keyId: key.id,
        models: ['qwen3-*'],
        operations: ['infer'],
      },
    });
    expect(store.touched).toContain(key.id);
  });

  it('refuses unknown, wrong, revoked, expired and owner-disabled keys', async () => {
    const other = generateApiKey();
    await expect(resolver.resolve(other.secret)).rejects.toMatchObject({ reason: 'invalid_credentials' });
    const wrongSecret = `mg_${key.id}_${other.secret.slice(20)}`;
    await expect(resolver.resolve(wrongSecret)).rejects.toMatchObject({ reason: 'invalid_credentials' });
    await expect(resolver.resolve('mg_nope')).rejects.toMatchObject({ reason: 'malformed' });
    for (const [over, reason] of [
      [{ revoked: true }, 'revoked'],
      [{ ownerDisabled: true }, 'disabled'],
      [{ expiresAt: NOW }, 'expired'],
    ] as const) {
      store.records.set(key.id, { ...record, ...over });
      await expect(resolver.resolve(key.secret)).rejects.toMatchObject({ reason });
    }
    store.records.set(key.id, { ...record, expiresAt: NOW + 1 });
    await expect(resolver.resolve(key.secret)).resolves.toMatchObject({ id: 'ci-bot' });
    store.records.set(key.id, record);
  });

  it('refuses a missing credential', async () => {
    await expect(resolver.resolve(undefined)).rejects.toMatchObject({ reason: 'missing' });
    await expect(resolver.resolve('')).rejects.toMatchObject({ reason: 'missing' });
  });
});

describe('PrincipalResolver verified-token cache', () => {
  it('verifies a token once within the window, never past exp', async () => {
    let clock = NOW;
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k' }] };
    let verifications = 0;
    const verifier = new JwtVerifier(
      [{ issuer: IDENTITY, audience: ['modelgate'], keys: new JwksCache(() => Promise.resolve(jwks)) }],
      { now: () => new Date(clock) },
    );
    const counting = {
      verify: (t: string) => ((verifications += 1), verifier.verify(t)),
    } as unknown as JwtVerifier;
    const resolver = new PrincipalResolver({
      verifier: counting,
      identityIssuer: IDENTITY,
      claimMappings: new Map(),
      groupRoles: {},
      now: () => clock,
      verifiedTokenCacheMs: 30_000,
    });
    const t = await new SignJWT({ sub: 'a@b.c', principal_type: 'user', aud: 'modelgate', iss: IDENTITY })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .setIssuedAt(NOW / 1000)
      .setExpirationTime(NOW / 1000 + 40)
      .sign(privateKey);
    await resolver.resolve(t);
    await resolver.resolve(t);
    expect(verifications).toBe(1);
    clock = NOW + 31_000;
    await resolver.resolve(t);
    expect(verifications).toBe(2);
    // Cached until min(now + 30 s, exp = NOW + 40 s): past exp it is verified again and refused.
    clock = NOW + 40_000 + 31_000;
    await expect(resolver.resolve(t)).rejects.toMatchObject({ reason: 'expired' });
    expect(verifications).toBe(3);
    // A tampered copy is not a cache hit.
    await expect(resolver.resolve(`${t}x`)).rejects.toBeDefined();
  });
});

describe('bearerCredential', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer mg_x', 'mg_x'],
    ['Bearer  abc', undefined],
    ['Bearer abc def', undefined],
    ['Basic YWxpY2U6cHc=', undefined],
    ['Bearer ', undefined],
    ['abc', undefined],
    ['Bearer abc\u0000', undefined],
  ])('%j → %j', (header, expected) => {
    expect(bearerCredential(header)).toBe(expected);
  });
  it('ignores repeated headers', () => {
    expect(bearerCredential(['Bearer a', 'Bearer b'])).toBeUndefined();
  });
});

describe('CachingApiKeyStore', () => {
  it('serves from cache within the TTL, and invalidates by key and by owner', async () => {
    let clock = 0;
    const inner = new MapStore();
    const k = generateApiKey();
    inner.records.set(k.id, {
      id: k.id,
      hash: k.hash,
      ownerId: 'bob@company.com',
      ownerType: 'user',
      roles: [],
      groups: [],
      models: null,
      operations: null,
      expiresAt: null,
      revoked: false,
      ownerDisabled: false,
    });
    const cache = new CachingApiKeyStore(inner, 1_000, 10, () => clock);
    await cache.findById(k.id);
    await cache.findById(k.id);
    await cache.findById('unknown');
    await cache.findById('unknown');
    expect(inner.lookups).toBe(2);
    clock = 1_001;
    await cache.findById(k.id);
    expect(inner.lookups).toBe(3);
    cache.invalidate(k.id);
    await cache.findById(k.id);
    expect(inner.lookups).toBe(4);
    cache.invalidateOwner('bob@company.com');
    await cache.findById(k.id);
    expect(inner.lookups).toBe(5);
  });
});
