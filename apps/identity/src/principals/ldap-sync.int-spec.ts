// Key owners disabled or removed in the real slapd lose their keys (and tokens) at the next
// LDAP check. The test adds its own users as the directory's root (the demo users stay as
// they are for other suites) and removes them afterwards.
import { randomBytes } from 'node:crypto';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DEMO_LDAP,
  infraEndpoints,
  uniqueTopicName,
  type TestDatabase,
} from '@modelgate/testing';
import { LOGGER, CONFIG } from '@modelgate/service-kit';
import { ApiKeyRepository } from '../keys/api-key.repository';
import { DirectoryUnavailableError, type Directory } from '../ldap/ldap-directory';
import { startIdentity, TopicRecorder, type TestApp } from '../testing/identity-test-app';
import { LdapPrincipalSync } from './ldap-principal-sync';
import { PrincipalsService } from './principals.service';

const suffix = randomBytes(3).toString('hex');
const user = (name: string) => ({
  uid: `sync-${name}-${suffix}`,
  password: `${name}-pw-${suffix}`,
  mail: `Sync-${name}-${suffix}@Company.com`,
  dn: `uid=sync-${name}-${suffix},${DEMO_LDAP.userBase}`,
});
const locked = user('locked');
const removed = user('removed');
const lockedOut = user('lockedout');
const active = user('active');
const everyone = [locked, removed, lockedOut, active];

describe('LDAP check of key owners', () => {
  const topic = uniqueTopicName('identity-ldap-sync');
  const recorder = new TopicRecorder(topic);
  const root = new Client({ url: infraEndpoints().ldapUrl });
  let db: TestDatabase;
  let identity: TestApp;

  beforeAll(async () => {
    await root.bind(DEMO_LDAP.rootDn, DEMO_LDAP.rootPassword);
    for (const u of everyone) {
      await root.add(u.dn, {
        objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
        uid: u.uid,
        cn: u.uid,
        sn: 'Sync',
        mail: u.mail,
        userPassword: u.password,
      });
    }
    db = await createTestDatabase();
    await recorder.start();
    identity = await startIdentity(db.url, topic);
  });
  afterAll(async () => {
    await identity?.app.close();
    await recorder.stop();
    await db?.drop();
    for (const u of everyone) await root.del(u.dn).catch(() => undefined);
    await root.unbind();
  });

  const lock = (dn: string, value: string) =>
    root.modify(
      dn,
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'pwdAccountLockedTime', values: [value] }),
      }),
    );

  it('disables owners that LDAP removed or locked administratively, and only those', async () => {
    const sessions = new Map<string, { token: string; key: string }>();
    for (const u of everyone) {
      const token = await identity.login(u.uid, u.password);
      const created = await identity.request('POST', '/v1/keys', token, { name: 'sync' });
      expect(created.statusCode, created.body).toBe(201);
      sessions.set(u.uid, { token, key: created.json<{ secret: string }>().secret });
    }
    const sync = identity.app.get(LdapPrincipalSync);
    // Nothing changed in the directory yet: nobody is disabled.
    expect(await sync.runOnce()).toMatchObject({ checked: 4, disabled: [] });

    await lock(locked.dn, '000001010000Z');
    await root.del(removed.dn);
    // A lock-out by time (failed logins) is temporary: it must not disable keys for good.
    await lock(lockedOut.dn, '20260101000000Z');

    const report = await sync.runOnce();
    expect(report.checked).toBe(4);
    expect([...report.disabled].sort()).toEqual(
      [locked.mail.toLowerCase(), removed.mail.toLowerCase()].sort(),
    );
    for (const u of [locked, removed]) {
      const s = sessions.get(u.uid)!;
      expect((await identity.request('GET', '/v1/auth/whoami', s.key)).statusCode).toBe(401);
      expect((await identity.request('GET', '/v1/auth/whoami', s.token)).statusCode).toBe(401);
      const event = await recorder.waitFor(
        (e) => e.type === 'identity.principal_disabled' && e.key === u.mail.toLowerCase(),
      );
      expect(event.data).toEqual({ principal_id: u.mail.toLowerCase(), principal_type: 'user' });
    }
    for (const u of [lockedOut, active]) {
      expect((await identity.request('GET', '/v1/auth/whoami', sessions.get(u.uid)!.key)).statusCode).toBe(
        200,
      );
    }
    // Disabled owners are not looked up again.
    expect(await sync.runOnce()).toMatchObject({ checked: 2, disabled: [] });
  });

  it('disables nobody when the directory fails mid-run', async () => {
    const failing: Directory = {
      findUsers: () => Promise.reject(new Error('unused')),
      verifyPassword: () => Promise.reject(new Error('unused')),
      groupsOf: () => Promise.reject(new Error('unused')),
      userStatus: () => Promise.reject(new DirectoryUnavailableError(new Error('ECONNREFUSED'))),
      close: () => Promise.resolve(),
    };
    const app = identity.app;
    const sync = new LdapPrincipalSync(
      failing,
      app.get(ApiKeyRepository),
      app.get(PrincipalsService),
      app.get(CONFIG),
      app.get(LOGGER),
    );
    const report = await sync.runOnce();
    expect(report).toMatchObject({ checked: 0, disabled: [] });
    expect(report.error).toMatch(/directory unavailable/);
    expect(
      (await identity.request('GET', '/v1/auth/whoami', await identity.login(active.uid, active.password)))
        .statusCode,
    ).toBe(200);
  });
});
