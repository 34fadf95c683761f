// Against the real slapd of scripts/infra/slapd.sh, loaded with the demo directory.
import { createServer, type Server } from 'node:net';
import { Client, EqualityFilter, InvalidCredentialsError, UnwillingToPerformError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infraEndpoints } from './infra';
import {
  bindAsUser,
  DEMO_LDAP,
  DEMO_USERS,
  demoGroupDn,
  DISABLED_USER,
  EmptyPasswordError,
  readUserEntry,
} from './ldap';

const url = infraEndpoints().ldapUrl;

describe('demo directory in slapd', () => {
  it('lets alice bind and read her own entry with memberOf researchers', async () => {
    const session = await bindAsUser('alice', DEMO_USERS.alice.password);
    try {
      const entry = await session.readOwnEntry();
      expect(entry.dn).toBe('uid=alice,ou=people,dc=company,dc=com');
      expect(entry.mail).toBe('alice@company.com');
      expect(entry.memberOf).toEqual(['cn=researchers,ou=groups,dc=company,dc=com']);
    } finally {
      await session.close();
    }
  });

  it.each(Object.values(DEMO_USERS))('has $uid with mail and the groups of the demo table', async (user) => {
    const entry = await readUserEntry(user.uid, user.password);
    expect(entry.mail).toBe(user.mail);
    expect(entry.cn).toBe(user.name);
    expect([...entry.memberOf].sort()).toEqual(user.groups.map(demoGroupDn).sort());
  });

  it('rejects a wrong password', async () => {
    await expect(bindAsUser('alice', 'not-alice-password')).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  it('refuses an empty password before any connection is made', async () => {
    // A listener that counts connections: the helper must not even connect.
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await expect(bindAsUser('alice', '', { url: `ldap://127.0.0.1:${port}` })).rejects.toBeInstanceOf(
        EmptyPasswordError,
      );
      await expect(bindAsUser('alice', '')).rejects.toBeInstanceOf(EmptyPasswordError);
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is configured to refuse an unauthenticated bind (DN with empty password) itself', async () => {
    const client = new Client({ url, connectTimeout: 3000, timeout: 3000 });
    try {
      // slapd: "unauthenticated bind (DN with no password) disallowed" (53).
      await expect(client.bind(DEMO_USERS.alice.dn, '')).rejects.toBeInstanceOf(UnwillingToPerformError);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  });

  it('does not let the disabled user bind, even with the right password', async () => {
    expect(DISABLED_USER.disabled).toBe(true);
    await expect(bindAsUser(DISABLED_USER.uid, DISABLED_USER.password)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });

  describe('access control', () => {
    let service: Client;
    beforeAll(async () => {
      service = new Client({ url, connectTimeout: 3000, timeout: 3000 });
      await service.bind(DEMO_LDAP.serviceBindDn, DEMO_LDAP.serviceBindPassword);
    });
    afterAll(async () => {
      await service.unbind();
    });

    it('lets the service account find a user by uid, with memberOf', async () => {
      const { searchEntries } = await service.search(DEMO_LDAP.userBase, {
        scope: 'sub',
        filter: new EqualityFilter({ attribute: 'uid', value: 'bob' }),
        attributes: ['mail', 'memberOf'],
      });
      expect(searchEntries).toHaveLength(1);
      expect(searchEntries[0]?.dn).toBe(DEMO_USERS.bob.dn);
      expect(searchEntries[0]?.['memberOf']).toBe(demoGroupDn('partners'));
    });

    it('shows the disabled marker (ppolicy lock) of dave to the service account', async () => {
      const { searchEntries } = await service.search(DISABLED_USER.dn, {
        scope: 'base',
        attributes: ['pwdAccountLockedTime', 'memberOf'],
      });
      expect(searchEntries[0]?.['pwdAccountLockedTime']).toBe('000001010000Z');
      expect(searchEntries[0]?.['memberOf']).toBe(demoGroupDn('researchers'));
    });

    it('never returns password hashes to the service account', async () => {
      const { searchEntries } = await service.search(DEMO_USERS.alice.dn, {
        scope: 'base',
        attributes: ['userPassword'],
      });
      expect(searchEntries).toHaveLength(1);
      // ldapts reports a requested attribute the server withheld as an empty list.
      expect(searchEntries[0]?.['userPassword'] ?? []).toEqual([]);
    });

    it('lets anonymous clients read nothing', async () => {
      const anonymous = new Client({ url, connectTimeout: 3000, timeout: 3000 });
      try {
        const result = await anonymous
          .search(DEMO_LDAP.userBase, { scope: 'sub', filter: '(uid=alice)' })
          .then((r) => r.searchEntries.length)
          .catch((error: unknown) => error);
        // slapd answers noSuchObject for a base the client may not see.
        expect(result === 0 || result instanceof Error).toBe(true);
      } finally {
        await anonymous.unbind().catch(() => undefined);
      }
    });
  });
});
