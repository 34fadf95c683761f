// Two identity replicas on one Postgres schema and the real Kafka: a revocation or a disabled
// principal on replica A stops the credential on replica B as soon as B's cache consumer hears
// the event, long before B's API key cache TTL (60 s here) would. Replica A does not relay its
// outbox (OUTBOX_RELAY_ENABLED=false): B's relay publishes what A commits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, uniqueTopicName, type TestDatabase } from '@modelgate/testing';
import { startIdentity, TopicRecorder, type TestApp } from '../testing/identity-test-app';

describe('cache invalidation across replicas', () => {
  const topic = uniqueTopicName('identity-events');
  const recorder = new TopicRecorder(topic);
  let db: TestDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await recorder.start();
    a = await startIdentity(db.url, topic, { OUTBOX_RELAY_ENABLED: 'false', REPLICA_ID: 'replica-a' });
    b = await startIdentity(db.url, topic, { REPLICA_ID: 'replica-b' });
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await recorder.stop();
    await db?.drop();
  });

  /** Polls B until the credential is refused; the time from `since` to the first 401. */
  const refusedOnB = async (credential: string, since: number) => {
    for (;;) {
      const res = await b.request('GET', '/v1/auth/whoami', credential);
      if (res.statusCode === 401) return performance.now() - since;
      expect(res.statusCode).toBe(200);
      if (performance.now() - since > 10_000) throw new Error('still accepted on B after 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('a key revoked on A stops on B within a second (B had it cached)', async () => {
    const bob = await a.login('bob', 'bob-password');
    const created = await a.request('POST', '/v1/keys', bob, { name: 'replicated' });
    expect(created.statusCode, created.body).toBe(201);
    const key = created.json<{ id: string; secret: string }>();
    // B caches the key record (TTL 60 s).
    expect((await b.request('GET', '/v1/auth/whoami', key.secret)).statusCode).toBe(200);

    const revokedAt = performance.now();
    expect((await a.request('DELETE', `/v1/keys/${key.id}`, bob)).statusCode).toBe(200);
    const delayMs = await refusedOnB(key.secret, revokedAt);
    console.log(`revocation on A refused on B after ${delayMs.toFixed(0)} ms`);
    expect(delayMs).toBeLessThan(1_000);
    // A's commits went out through B's relay, once each.
    await recorder.waitFor((e) => e.type === 'identity.key_revoked' && e.data['key_id'] === key.id);
    const ids = recorder.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a user disabled on A loses keys and tokens on B within a second', async () => {
    const admin = await a.login('admin', 'admin-password');
    const carol = await a.login('carol', 'carol-password');
    const key = (await a.request('POST', '/v1/keys', carol, { name: 'c' })).json<{ secret: string }>();
    expect((await b.request('GET', '/v1/auth/whoami', key.secret)).statusCode).toBe(200);
    expect((await b.request('GET', '/v1/auth/whoami', carol)).statusCode).toBe(200);

    const disabledAt = performance.now();
    const res = await a.request('POST', '/v1/principals/users/Carol@Company.com/disable', admin, {
      reason: 'left the company',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: 'carol@company.com', type: 'user', changed: true });
    const keyDelay = await refusedOnB(key.secret, disabledAt);
    const tokenDelay = await refusedOnB(carol, disabledAt);
    console.log(
      `disable on A: key refused on B after ${keyDelay.toFixed(0)} ms, token ${tokenDelay.toFixed(0)} ms`,
    );
    expect(keyDelay).toBeLessThan(1_000);
    expect(tokenDelay).toBeLessThan(1_000);
    // On A at once, and for good: no new token either, though LDAP still lets carol bind.
    expect((await a.request('GET', '/v1/auth/whoami', carol)).statusCode).toBe(401);
    for (const replica of [a, b]) {
      const login = await replica.request('POST', '/v1/auth/token', undefined, {
        username: 'carol',
        password: 'carol-password',
      });
      expect(login.statusCode).toBe(401);
    }

    const event = await recorder.waitFor(
      (e) => e.type === 'identity.principal_disabled' && e.key === 'carol@company.com',
    );
    expect(event.data).toEqual({ principal_id: 'carol@company.com', principal_type: 'user' });
    // Disabling again changes nothing and publishes nothing.
    const again = await a.request('POST', '/v1/principals/users/carol@company.com/disable', admin, {});
    expect(again.json()).toMatchObject({ changed: false, reason: 'left the company' });
    await new Promise((r) => setTimeout(r, 500));
    expect(recorder.events.filter((e) => e.type === 'identity.principal_disabled')).toHaveLength(1);
  });

  it('the disable endpoint is for administrators and validates the id', async () => {
    const alice = await a.login('alice', 'alice-password');
    const admin = await a.login('admin', 'admin-password');
    expect(
      (await a.request('POST', '/v1/principals/users/bob@company.com/disable', alice, {})).statusCode,
    ).toBe(403);
    const aliceKey = (await a.request('POST', '/v1/keys', alice, { name: 'k' })).json<{ secret: string }>();
    // A key never administers, even an admin's.
    const adminKey = (await a.request('POST', '/v1/keys', admin, { name: 'k' })).json<{ secret: string }>();
    expect(
      (await a.request('POST', '/v1/principals/users/bob@company.com/disable', adminKey.secret, {}))
        .statusCode,
    ).toBe(403);
    expect(aliceKey.secret).toMatch(/^mg_/);
    // Fastify refuses path parameters over its maxParamLength before any handler runs.
    expect(
      (await a.request('POST', `/v1/principals/users/${'a'.repeat(400)}/disable`, admin, {})).statusCode,
    ).toBe(414);
    for (const [id, field] of [
      [encodeURIComponent('bob @company.com'), 'id'],
      [encodeURIComponent('bob\t@company.com'), 'id'],
      [encodeURIComponent('bob\u0000@company.com'), 'id'],
    ] as const) {
      const res = await a.request('POST', `/v1/principals/users/${id}/disable`, admin, {});
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(new RegExp(`^${field}: `));
    }
    const extra = await a.request('POST', '/v1/principals/users/bob@company.com/disable', admin, {
      force: true,
    });
    expect(extra.statusCode).toBe(400);
    // Bob was never disabled by any of this.
    expect((await a.request('GET', '/v1/auth/whoami', await a.login('bob', 'bob-password'))).statusCode).toBe(
      200,
    );
  });
});
