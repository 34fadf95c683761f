// The identity service in-process against the real Postgres, Kafka, slapd and dev OIDC provider.
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@modelgate/config';
import { TOPICS } from '@modelgate/contracts';
import { createServiceApp } from '@modelgate/service-kit';
import { createLogger } from '@modelgate/telemetry';
import {
  createTestDatabase,
  DEMO_LDAP,
  DEMO_USERS,
  DEV_IDP_AUDIENCE,
  DEV_IDP_CLIENTS,
  DISABLED_USER,
  fetchOidcTokens,
  infraEndpoints,
  type TestDatabase,
} from '@modelgate/testing';
import { identityConfigSchema } from './config';
import { identityModules } from './identity.modules';

const infra = infraEndpoints();
const ISSUER = 'http://identity.test';

describe('identity service', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let kafka: Kafka;
  let consumer: Consumer;
  const events: { key: string; type: string; data: Record<string, unknown>; sequence: number }[] = [];

  const post = (url: string, payload: unknown, token?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload: payload as Record<string, unknown>,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const get = (url: string, token?: string) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (username: string, password: string) => {
    const res = await post('/v1/auth/token', { username, password });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ access_token: string }>().access_token;
  };
  const expect401 = (res: { statusCode: number; body: string }) => {
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({
      error: {
        message: 'invalid or missing credentials',
        type: 'authentication_error',
        code: 'invalid_credentials',
      },
    });
  };
  const waitForEvent = async (pred: (e: (typeof events)[number]) => boolean) => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const found = events.find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('event not seen on the identity topic');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    kafka = new Kafka({ brokers: [...infra.kafkaBrokers], logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({ groupId: `identity-int-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.identityEvents, fromBeginning: false });
    // Wait until the group has its partitions, so events published from now on are seen.
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.run({
      eachMessage: ({ message }) => {
        const env = JSON.parse(message.value!.toString()) as (typeof events)[number];
        events.push({ ...env, key: message.key!.toString() });
        return Promise.resolve();
      },
    });
    await joined;

    const config = loadConfig(identityConfigSchema, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      LDAP_URL: infra.ldapUrl,
      LDAP_BIND_DN: DEMO_LDAP.serviceBindDn,
      LDAP_BIND_PASSWORD: DEMO_LDAP.serviceBindPassword,
      OIDC_ISSUERS: infra.oidcIssuer,
      OIDC_AUDIENCE: DEV_IDP_AUDIENCE,
      ISSUER_URL: ISSUER,
      API_KEY_CACHE_TTL_MS: '60000',
      LOG_LEVEL: 'silent',
    });
    app = await createServiceApp({
      name: 'identity',
      config,
      imports: identityModules(config),
      logger: createLogger('identity', 'silent'),
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await consumer?.disconnect();
    await db?.drop();
  });

  describe('LDAP login', () => {
    it.each(Object.values(DEMO_USERS))('$uid gets a token and sees $roles at whoami', async (user) => {
      const res = await post('/v1/auth/token', { username: user.uid, password: user.password });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ access_token: string; token_type: string; expires_in: number }>();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
      expect(decodeJwt(body.access_token)).toMatchObject({ iss: ISSUER, aud: 'modelgate', sub: user.mail });

      const who = await get('/v1/auth/whoami', body.access_token);
      expect(who.statusCode).toBe(200);
      expect(who.json()).toMatchObject({
        id: user.mail,
        type: 'user',
        roles: [...user.roles],
        groups: [...user.groups],
        credential: { kind: 'identity_token', issuer: ISSUER },
      });
    });

    it.each([
      ['wrong password', 'alice', 'nope'],
      ['empty password', 'alice', ''],
      ['whitespace password', 'alice', '   '],
      ['unknown user', 'mallory', 'alice-password'],
      ['disabled user', DISABLED_USER.uid, DISABLED_USER.password],
      ['filter injection: wildcard', '*', 'alice-password'],
      ['filter injection: or', 'alice)(|(uid=*', 'alice-password'],
      ['filter injection: closing', '*)(uid=*))(|(uid=*', 'x'],
      ['filter injection: NUL', 'alice\u0000', 'alice-password'],
      ['DN injection', 'uid=alice,ou=people,dc=company,dc=com', 'alice-password'],
      ['DN injection with comma', 'alice,ou=people', 'alice-password'],
      ['wildcard password for a real user', 'alice', '*'],
    ])('refuses %s with the same 401', async (_case, username, password) => {
      expect401(await post('/v1/auth/token', { username, password }));
    });

    it('refuses malformed bodies with 400 and no directory detail', async () => {
      const res = await post('/v1/auth/token', { username: ['alice'], password: 1 });
      expect(res.statusCode).toBe(400);
      expect(res.body).not.toMatch(/dc=company|ldap/i);
    });

    it('answers an unknown user about as fast as a wrong password', async () => {
      const time = async (username: string) => {
        const started = performance.now();
        expect401(await post('/v1/auth/token', { username, password: 'not-the-password' }));
        return performance.now() - started;
      };
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 15; i++) {
        known.push(await time('bob'));
        unknown.push(await time(`nobody-${i}`));
      }
      const [k, u] = [median(known), median(unknown)];
      // Both do one search and one bind; a missing decoy bind would make the unknown case
      // markedly faster. Loose bounds: shared CPUs.
      expect(Math.abs(k - u)).toBeLessThan(Math.max(5, 0.5 * Math.max(k, u)));
    });
  });

  describe('OIDC tokens from the dev provider', () => {
    it.each(Object.values(DEMO_USERS))('$uid is resolved with $roles', async (user) => {
      const tokens = await fetchOidcTokens({
        clientId: DEV_IDP_CLIENTS.tests.clientId,
        clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
        username: user.uid,
        password: user.password,
      });
      const who = await get('/v1/auth/whoami', tokens.accessToken);
      expect(who.statusCode, who.body).toBe(200);
      expect(who.json()).toMatchObject({
        id: user.mail,
        type: 'user',
        credential: { kind: 'oidc_token', issuer: infra.oidcIssuer },
      });
      expect(who.json<{ roles: string[] }>().roles).toEqual(expect.arrayContaining([...user.roles]));
      expect(who.json<{ groups: string[] }>().groups).toEqual(expect.arrayContaining([...user.groups]));
    });

    it("refuses the provider's ID token (wrong audience) and a tampered access token", async () => {
      const tokens = await fetchOidcTokens({
        clientId: DEV_IDP_CLIENTS.tests.clientId,
        clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
        username: 'bob',
        password: 'bob-password',
      });
      expect401(await get('/v1/auth/whoami', tokens.idToken));
      const [h, p, s] = tokens.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, email: 'admin@company.com' })).toString(
        'base64url',
      );
      expect401(await get('/v1/auth/whoami', `${h}.${forged}.${s}`));
    });

    it('refuses a token signed by a foreign key that names the provider as issuer', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const token = await new SignJWT({ email: 'admin@company.com', realm_access: { roles: ['acl-admin'] } })
        .setProtectedHeader({ alg: 'RS256', kid: 'attacker', jwk: await exportJWK(publicKey) })
        .setIssuer(infra.oidcIssuer)
        .setAudience(DEV_IDP_AUDIENCE)
        .setSubject('admin')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      expect401(await get('/v1/auth/whoami', token));
    });
  });

  describe('well-knowns and signing-key rotation', () => {
    it('publishes discovery and a JWKS with public keys only', async () => {
      const conf = await get('/.well-known/openid-configuration');
      expect(conf.json()).toMatchObject({ issuer: ISSUER, jwks_uri: `${ISSUER}/.well-known/jwks.json` });
      const jwks = (await get('/.well-known/jwks.json')).json<{ keys: Record<string, unknown>[] }>();
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(jwks.keys[0]).not.toHaveProperty('d');
    });

    it('rotates for admins only; tokens of the old key keep working', async () => {
      const before = await login('alice', 'alice-password');
      const forbidden = await post('/v1/auth/signing-keys/rotate', {}, before);
      expect(forbidden.statusCode).toBe(403);
      const admin = await login('admin', 'admin-password');
      const rotated = await post('/v1/auth/signing-keys/rotate', {}, admin);
      expect(rotated.statusCode).toBe(200);
      const { kid } = rotated.json<{ kid: string }>();
      const jwks = (await get('/.well-known/jwks.json')).json<{ keys: { kid: string }[] }>();
      expect(jwks.keys.map((k) => k.kid)).toHaveLength(2);
      expect(jwks.keys[0]!.kid).toBe(kid);
      expect((await get('/v1/auth/whoami', before)).statusCode).toBe(200);
      const after = await login('alice', 'alice-password');
      expect(decodeProtectedHeader(after).kid).toBe(kid);
      expect((await get('/v1/auth/whoami', after)).statusCode).toBe(200);
    });
  });

  describe('API keys', () => {
    it('creates a key shown once, which resolves to its owner, lists it and revokes it with an event', async () => {
      const bob = await login('bob', 'bob-password');
      const created = await post(
        '/v1/keys',
        { name: 'laptop', models: ['qwen3-*'], operations: ['infer'] },
        bob,
      );
      expect(created.statusCode, created.body).toBe(201);
      const key = created.json<{ id: string; secret: string; expires_at: string | null }>();
      expect(key.secret).toMatch(/^mg_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(key.expires_at).toBeNull();
      const createdEvent = await waitForEvent(
        (e) => e.type === 'identity.key_created' && e.data['key_id'] === key.id,
      );
      expect(createdEvent).toMatchObject({ key: 'bob@company.com', sequence: 1 });

      const who = await get('/v1/auth/whoami', key.secret);
      expect(who.json()).toMatchObject({
        id: 'bob@company.com',
        roles: ['partner'],
        credential: { kind: 'api_key', key_id: key.id, models: ['qwen3-*'], operations: ['infer'] },
      });

      const list = await get('/v1/keys', bob);
      expect(list.json<{ items: { id: string }[] }>().items.map((k) => k.id)).toEqual([key.id]);
      expect(list.body).not.toContain(key.secret);

      // Someone else cannot revoke it (and learns nothing: 404).
      const carol = await login('carol', 'carol-password');
      expect(
        (
          await app.inject({
            method: 'DELETE',
            url: `/v1/keys/${key.id}`,
            headers: { authorization: `Bearer ${carol}` },
          })
        ).statusCode,
      ).toBe(404);

      const revoked = await app.inject({
        method: 'DELETE',
        url: `/v1/keys/${key.id}`,
        headers: { authorization: `Bearer ${bob}` },
      });
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json<{ revoked_at: string | null }>().revoked_at).not.toBeNull();
      // The cache (TTL 60 s here) is cleared by the revocation: the key stops at once.
      expect401(await get('/v1/auth/whoami', key.secret));
      const revokedEvent = await waitForEvent(
        (e) => e.type === 'identity.key_revoked' && e.data['key_id'] === key.id,
      );
      expect(revokedEvent).toMatchObject({ key: 'bob@company.com', sequence: 2 });
    });

    it('refuses keys minted by a key, past expiries and unknown fields', async () => {
      const alice = await login('alice', 'alice-password');
      const key = (await post('/v1/keys', { name: 'k' }, alice)).json<{ secret: string }>();
      expect((await post('/v1/keys', { name: 'k2' }, key.secret)).statusCode).toBe(403);
      expect(
        (await post('/v1/keys', { name: 'k', expires_at: '2000-01-01T00:00:00Z' }, alice)).statusCode,
      ).toBe(400);
      expect(
        (await post('/v1/keys', { name: 'k', operations: ['delete-everything'] }, alice)).statusCode,
      ).toBe(400);
      expect((await post('/v1/keys', { name: 'k', owner_id: 'admin@company.com' }, alice)).statusCode).toBe(
        400,
      );
    });

    it('refuses an expired key', async () => {
      const alice = await login('alice', 'alice-password');
      const soon = new Date(Date.now() + 1500).toISOString();
      const key = (await post('/v1/keys', { name: 'short', expires_at: soon }, alice)).json<{
        secret: string;
      }>();
      expect((await get('/v1/auth/whoami', key.secret)).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 1600));
      expect401(await get('/v1/auth/whoami', key.secret));
    });

    it.each([
      ['unknown key', `mg_${'0'.repeat(16)}_${'A'.repeat(43)}`],
      ['truncated key', 'mg_0123'],
      ['key with a NUL', `mg_${'0'.repeat(16)}_${'A'.repeat(42)}\u0000`],
    ])('refuses %s', async (_case, secret) => {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/auth/whoami',
        headers: { authorization: `Bearer ${secret.replace('\u0000', '')}` },
      });
      expect401(res);
    });
  });

  describe('service accounts', () => {
    it('admins create one; it gets client-credentials tokens and keys; disabling it stops its keys', async () => {
      const admin = await login('admin', 'admin-password');
      const alice = await login('alice', 'alice-password');
      expect(
        (await post('/v1/service-accounts', { id: 'ci-bot', roles: ['deployer'] }, alice)).statusCode,
      ).toBe(403);
      const created = await post('/v1/service-accounts', { id: 'ci-bot', roles: ['deployer'] }, admin);
      expect(created.statusCode, created.body).toBe(201);
      const { client_secret } = created.json<{ client_secret: string }>();
      expect((await post('/v1/service-accounts', { id: 'ci-bot' }, admin)).statusCode).toBe(409);

      const tok = await post('/v1/auth/token', {
        grant_type: 'client_credentials',
        client_id: 'ci-bot',
        client_secret,
      });
      expect(tok.statusCode).toBe(200);
      const who = await get('/v1/auth/whoami', tok.json<{ access_token: string }>().access_token);
      expect(who.json()).toMatchObject({ id: 'ci-bot', type: 'service_account', roles: ['deployer'] });
      expect401(
        await post('/v1/auth/token', {
          grant_type: 'client_credentials',
          client_id: 'ci-bot',
          client_secret: 'wrong',
        }),
      );
      expect401(
        await post('/v1/auth/token', {
          grant_type: 'client_credentials',
          client_id: 'nobody',
          client_secret,
        }),
      );

      // Only admins create keys for service accounts.
      expect((await post('/v1/keys', { name: 'ci', service_account: 'ci-bot' }, alice)).statusCode).toBe(403);
      const key = (await post('/v1/keys', { name: 'ci', service_account: 'ci-bot' }, admin)).json<{
        secret: string;
      }>();
      expect((await get('/v1/auth/whoami', key.secret)).json()).toMatchObject({
        id: 'ci-bot',
        type: 'service_account',
      });

      const disabled = await app.inject({
        method: 'DELETE',
        url: '/v1/service-accounts/ci-bot',
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(disabled.statusCode).toBe(200);
      expect401(await get('/v1/auth/whoami', key.secret));
      expect401(
        await post('/v1/auth/token', {
          grant_type: 'client_credentials',
          client_id: 'ci-bot',
          client_secret,
        }),
      );
      await waitForEvent((e) => e.type === 'identity.principal_disabled' && e.key === 'ci-bot');
    });
  });

  describe('list pagination', () => {
    type KeyPage = { items: { id: string; name: string }[]; next_cursor: string | null };
    const error = (res: { json<T>(): T }) => res.json<{ error: { message: string; code: string } }>().error;

    it('pages keys oldest first with limit and cursor, next_cursor null on the last page', async () => {
      const carol = await login('carol', 'carol-password');
      const names = ['p1', 'p2', 'p3', 'p4', 'p5'];
      for (const name of names) expect((await post('/v1/keys', { name }, carol)).statusCode).toBe(201);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await get(`/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`, carol);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json<KeyPage>();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((k) => k.name));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual(names);
      expect(pages).toBe(3);
      // Exactly a full last page: no empty page after it.
      const four = await get('/v1/keys?limit=5', carol);
      expect(four.json<KeyPage>()).toMatchObject({ next_cursor: null });
      expect(four.json<KeyPage>().items).toHaveLength(5);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['cursor=', 'cursor'],
      [`cursor=${'A'.repeat(600)}`, 'cursor'],
      ['cursor=not%20base64', 'cursor'],
      [`cursor=${Buffer.from('{"v":1,"a":"x"}').toString('base64url')}`, 'cursor'],
      ['sort=desc', 'query'],
    ])('refuses ?%s with a 400 naming %s', async (query, field) => {
      const alice = await login('alice', 'alice-password');
      const res = await get(`/v1/keys?${query}`, alice);
      expect(res.statusCode, res.body).toBe(400);
      expect(error(res)).toMatchObject({ code: 'invalid_request' });
      expect(error(res).message).toMatch(new RegExp(`^${field}: `));
    });

    it('refuses tampered cursors: another owner, an edited id, a key of someone else', async () => {
      const bob = await login('bob', 'bob-password');
      const admin = await login('admin', 'admin-password');
      for (let i = 0; i < 3; i += 1) await post('/v1/keys', { name: `b${i}` }, bob);
      const first = (await get('/v1/keys?limit=1', bob)).json<KeyPage>();
      const cursor = first.next_cursor!;
      // Bob's cursor in the admin's listing of another owner's keys.
      const other = await get(`/v1/keys?owner=carol@company.com&cursor=${cursor}`, admin);
      expect(other.statusCode).toBe(400);
      expect(error(other).message).toMatch(/^cursor: was issued for another list/);
      // Same list fingerprint, but the id edited to a key bob does not own.
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as Record<string, unknown>;
      const carolKey = (await get('/v1/keys?owner=carol@company.com&limit=1', admin)).json<KeyPage>()
        .items[0]!;
      for (const a of [carolKey.id, 'ffffffffffffffff', "x' OR 1=1 --"]) {
        const forged = Buffer.from(JSON.stringify({ ...decoded, a })).toString('base64url');
        const res = await get(`/v1/keys?cursor=${forged}`, bob);
        expect(res.statusCode, res.body).toBe(400);
        expect(error(res).message).toMatch(/^cursor: /);
      }
    });

    it('refuses oversized and blank key names, naming the field', async () => {
      const alice = await login('alice', 'alice-password');
      for (const name of ['x'.repeat(201), '   ', '']) {
        const res = await post('/v1/keys', { name }, alice);
        expect(res.statusCode).toBe(400);
        expect(error(res).message).toMatch(/^name: /);
      }
    });

    it('pages service accounts by id', async () => {
      const admin = await login('admin', 'admin-password');
      for (const id of ['page-c', 'page-a', 'page-b'])
        expect((await post('/v1/service-accounts', { id }, admin)).statusCode).toBe(201);
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(`/v1/service-accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json<{ items: { id: string }[]; next_cursor: string | null }>();
        ids.push(...page.items.map((a) => a.id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(ids.filter((id) => id.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c']);
      expect(ids).toEqual([...ids].sort());
      // A cursor of the admin's key list is not one for the service-account list.
      for (const name of ['sa-page-1', 'sa-page-2']) await post('/v1/keys', { name }, admin);
      const keysCursor = (await get('/v1/keys?limit=1', admin)).json<KeyPage>().next_cursor;
      expect(keysCursor).not.toBeNull();
      expect((await get(`/v1/service-accounts?cursor=${keysCursor}`, admin)).statusCode).toBe(400);
      expect((await get('/v1/service-accounts?limit=0', admin)).statusCode).toBe(400);
    });
  });

  describe('hostile bearer tokens', () => {
    it.each([
      ['no header', undefined],
      ['empty bearer', 'Bearer '],
      ['basic auth', 'Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ='],
      ['garbage', 'Bearer not-a-token'],
      [
        'alg none',
        `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"iss":"${ISSUER}","sub":"admin@company.com","principal_type":"user","roles":["acl-admin"],"aud":"modelgate","exp":9999999999}`).toString('base64url')}.`,
      ],
      ['oversized', `Bearer ${'a'.repeat(50_000)}.${'b'.repeat(50_000)}.c`],
    ])('%s → 401', async (_case, authorization) => {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/auth/whoami',
        headers: authorization ? { authorization } : {},
      });
      expect401(res);
    });
  });
});
