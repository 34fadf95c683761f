import { describe, expect, it } from 'vitest';
import { accessTokenClaims, type DirectoryUser, GROUP_ROLES, rolesForGroups, userClaims } from './claims';

const carol: DirectoryUser = {
  uid: 'carol',
  dn: 'uid=carol,ou=people,dc=company,dc=com',
  mail: 'carol@company.com',
  name: 'Carol Clark',
  givenName: 'Carol',
  familyName: 'Clark',
  groups: ['auditors'],
};

describe('group → role mapping of the demo directory', () => {
  it.each([
    ['acl-admins', ['acl-admin']],
    ['researchers', ['researcher']],
    ['partners', ['partner']],
    ['auditors', ['acl-viewer', 'auditor']],
  ])('maps %s to %j', (group, roles) => {
    expect(rolesForGroups([group])).toEqual(roles);
  });

  it('gives no role for an unknown group, nor for inherited object keys', () => {
    expect(rolesForGroups(['strangers', 'constructor', '__proto__', 'toString'])).toEqual([]);
  });

  it('merges, de-duplicates and sorts roles of several groups', () => {
    expect(rolesForGroups(['auditors', 'acl-admins', 'auditors'])).toEqual([
      'acl-admin',
      'acl-viewer',
      'auditor',
    ]);
  });

  it('covers exactly the four demo groups', () => {
    expect(Object.keys(GROUP_ROLES).sort()).toEqual(['acl-admins', 'auditors', 'partners', 'researchers']);
  });
});

describe('userClaims', () => {
  it('builds the OIDC and Keycloak-style claims', () => {
    expect(userClaims(carol)).toEqual({
      sub: 'carol',
      preferred_username: 'carol',
      email: 'carol@company.com',
      email_verified: true,
      name: 'Carol Clark',
      given_name: 'Carol',
      family_name: 'Clark',
      groups: ['auditors'],
      realm_access: { roles: ['acl-viewer', 'auditor'] },
    });
  });

  it('omits what the directory does not have, and never claims an unknown email verified', () => {
    const claims = userClaims({
      ...carol,
      mail: undefined,
      name: undefined,
      givenName: undefined,
      familyName: undefined,
      groups: [],
    });
    expect(claims).toEqual({
      sub: 'carol',
      preferred_username: 'carol',
      groups: [],
      realm_access: { roles: [] },
    });
  });

  it('sorts and de-duplicates groups', () => {
    expect(userClaims({ ...carol, groups: ['researchers', 'auditors', 'researchers'] }).groups).toEqual([
      'auditors',
      'researchers',
    ]);
  });

  it('leaves sub out of the extra access-token claims (oidc-provider sets it)', () => {
    const claims = accessTokenClaims(carol);
    expect(claims).not.toHaveProperty('sub');
    expect(claims['realm_access']).toEqual({ roles: ['acl-viewer', 'auditor'] });
  });
});
