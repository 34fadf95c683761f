import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '@modelgate/auth';
import { IdentityException } from '../errors/identity.exception';
import { DirectoryUnavailableError, type Directory, type DirectoryUser } from './ldap-directory';
import { groupNameFromDn } from './group-names';
import { LdapLoginHandler } from './ldap-login.handler';

class FakeDirectory implements Directory {
  readonly binds: { dn: string; password: string }[] = [];
  down = false;
  constructor(
    private readonly users: Record<string, DirectoryUser & { password: string }>,
    private readonly groups: Record<string, string[]> = {},
  ) {}
  findUsers(login: string): Promise<DirectoryUser[]> {
    if (this.down) return Promise.reject(new DirectoryUnavailableError(new Error('ECONNREFUSED')));
    const u = this.users[login];
    return Promise.resolve(u ? [u] : []);
  }
  verifyPassword(dn: string, password: string): Promise<boolean> {
    this.binds.push({ dn, password });
    return Promise.resolve(Object.values(this.users).some((u) => u.dn === dn && u.password === password));
  }
  groupsOf(dn: string): Promise<string[]> {
    return Promise.resolve(this.groups[dn] ?? []);
  }
  userStatus(): Promise<'active'> {
    return Promise.resolve('active');
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const alice = {
  dn: 'uid=alice,ou=people,dc=company,dc=com',
  mail: 'Alice@Company.com',
  memberOf: ['cn=researchers,ou=groups,dc=company,dc=com'],
  password: 'alice-password',
};
const options = {
  groupsFrom: 'memberOf' as const,
  groupRoles: { researchers: ['researcher'] },
  userBase: 'ou=people,dc=company,dc=com',
};

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AuthenticationError);
    return (e as AuthenticationError).reason;
  }
  throw new Error('login succeeded');
}

describe('LdapLoginHandler', () => {
  it('logs a user in with mail as id, groups and mapped roles', async () => {
    const handler = new LdapLoginHandler(new FakeDirectory({ alice }), options);
    await expect(handler.execute({ username: 'alice', password: 'alice-password' })).resolves.toEqual({
      id: 'alice@company.com',
      groups: ['researchers'],
      roles: ['researcher'],
    });
  });

  it('reads groups by search when configured so', async () => {
    const dir = new FakeDirectory(
      { alice: { ...alice, memberOf: [] } },
      { [alice.dn]: ['cn=researchers,ou=groups,dc=company,dc=com'] },
    );
    const handler = new LdapLoginHandler(dir, { ...options, groupsFrom: 'search' });
    await expect(handler.execute({ username: 'alice', password: 'alice-password' })).resolves.toMatchObject({
      roles: ['researcher'],
    });
  });

  it.each(['', ' ', '\t\n'])('refuses the password %j before any bind', async (password) => {
    const dir = new FakeDirectory({ alice });
    const handler = new LdapLoginHandler(dir, options);
    expect(await refusal(handler.execute({ username: 'alice', password }))).toBe('invalid_credentials');
    expect(dir.binds).toEqual([]);
  });

  it('answers an unknown user as a wrong password, after a decoy bind', async () => {
    const dir = new FakeDirectory({ alice });
    const handler = new LdapLoginHandler(dir, options);
    expect(await refusal(handler.execute({ username: 'mallory', password: 'x' }))).toBe(
      'invalid_credentials',
    );
    expect(await refusal(handler.execute({ username: 'alice', password: 'wrong' }))).toBe(
      'invalid_credentials',
    );
    expect(dir.binds).toHaveLength(2);
    expect(dir.binds[0]!.dn).toMatch(/^cn=modelgate-no-such-user/);
  });

  it('refuses blank, padded and oversized usernames', async () => {
    const handler = new LdapLoginHandler(new FakeDirectory({ alice }), options);
    for (const username of ['', '  ', ' alice', 'alice ', 'a'.repeat(300)]) {
      expect(await refusal(handler.execute({ username, password: 'alice-password' }))).toBe(
        'invalid_credentials',
      );
    }
  });

  it('turns an unreachable directory into directory_unavailable', async () => {
    const dir = new FakeDirectory({ alice });
    dir.down = true;
    await expect(
      new LdapLoginHandler(dir, options).execute({ username: 'alice', password: 'p' }),
    ).rejects.toEqual(
      new IdentityException('directory_unavailable', 'the directory is unavailable; try again later'),
    );
  });
});

describe('groupNameFromDn', () => {
  it.each([
    ['cn=researchers,ou=groups,dc=company,dc=com', 'researchers'],
    ['CN=Domain Users,CN=Users,DC=corp,DC=example', 'Domain Users'],
    ['cn=a\\,b,ou=groups', 'a,b'],
    ['cn=caf\\c3\\a9,ou=groups', 'café'],
    ['cn=x+uid=y,ou=groups', 'x'],
    ['', undefined],
    ['not a dn', undefined],
  ])('%j → %j', (dn, name) => {
    expect(groupNameFromDn(dn)).toBe(name);
  });
});
