import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../logging/json-logger';
import { loginFailureMessage, USERNAME_PATTERN } from './account-directory';
import { LdapAccountDirectory } from './ldap-account-directory';

// Port 1 on loopback: any attempt to reach "the directory" would fail as directory_unavailable.
const unreachable = new LdapAccountDirectory(
  {
    url: 'ldap://127.0.0.1:1',
    bindDn: 'cn=modelgate,ou=services,dc=company,dc=com',
    bindPassword: 'x',
    userBase: 'ou=people,dc=company,dc=com',
    groupBase: 'ou=groups,dc=company,dc=com',
  },
  createJsonLogger('test', 'error', () => undefined),
);

describe('LdapAccountDirectory input checks (before any LDAP traffic)', () => {
  it('refuses an empty password without binding', async () => {
    await expect(unreachable.authenticate('alice', '')).resolves.toEqual({
      ok: false,
      reason: 'empty_password',
    });
  });

  it.each(['', ' alice', 'alice*', 'a)(uid=*', 'uid=alice,ou=people', 'x'.repeat(65)])(
    'refuses the username %j without searching',
    async (username) => {
      await expect(unreachable.authenticate(username, 'secret')).resolves.toEqual({
        ok: false,
        reason: 'invalid_username',
      });
    },
  );

  it('reports an unreachable directory as such', async () => {
    await expect(unreachable.authenticate('alice', 'alice-password')).resolves.toEqual({
      ok: false,
      reason: 'directory_unavailable',
    });
  });
});

describe('USERNAME_PATTERN', () => {
  it('accepts the demo uids', () => {
    for (const uid of ['admin', 'alice', 'bob', 'carol', 'dave', 'first.last', 'a-b_c'])
      expect(USERNAME_PATTERN.test(uid)).toBe(true);
  });
});

describe('loginFailureMessage', () => {
  it('does not tell an unknown user from a wrong password', () => {
    expect(loginFailureMessage('invalid_username')).toBe(loginFailureMessage('invalid_credentials'));
  });
});
