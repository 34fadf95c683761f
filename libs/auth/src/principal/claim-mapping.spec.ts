import { describe, expect, it } from 'vitest';
import { claimPreset, mapClaims, parseClaimPath } from './claim-mapping';
import { rolesForGroups } from './principal';

describe('claim mapping', () => {
  it('reads Keycloak realm and client roles', () => {
    const mapped = mapClaims(
      {
        sub: 'f81d4fae',
        email: 'Alice@Company.com',
        realm_access: { roles: ['researcher', 'offline_access'] },
        resource_access: { modelgate: { roles: ['acl-viewer'] }, other: { roles: ['nope'] } },
        groups: ['researchers'],
      },
      claimPreset('keycloak', 'modelgate'),
    );
    expect(mapped).toEqual({
      id: 'alice@company.com',
      type: 'user',
      roles: ['acl-viewer', 'offline_access', 'researcher'],
      groups: ['researchers'],
    });
  });

  it('reads Entra roles and groups, falling back to preferred_username', () => {
    const mapped = mapClaims(
      { sub: 'abc', preferred_username: 'bob@company.com', roles: ['partner'], groups: ['4f1c-guid'] },
      claimPreset('entra'),
    );
    expect(mapped).toMatchObject({ id: 'bob@company.com', roles: ['partner'], groups: ['4f1c-guid'] });
  });

  it('reads Okta groups and falls back to sub without email', () => {
    expect(mapClaims({ sub: '00u1', groups: ['Everyone', 'auditors'] }, claimPreset('okta'))).toEqual({
      id: '00u1',
      type: 'user',
      roles: [],
      groups: ['Everyone', 'auditors'],
    });
  });

  it('treats a client-credentials token (sub = client) as a service account', () => {
    expect(mapClaims({ sub: 'ci-bot', client_id: 'ci-bot' }, claimPreset('generic'))?.type).toBe(
      'service_account',
    );
    expect(mapClaims({ sub: 'x', azp: 'x', email: 'x@y.z' }, claimPreset('generic'))?.type).toBe('user');
  });

  it('ignores non-string values, inherited properties and oversized lists', () => {
    const mapped = mapClaims(
      {
        sub: 's',
        email: 42,
        roles: ['ok', 7, null, { a: 1 }, '', 'x'.repeat(300)],
        groups: Array.from({ length: 1000 }, (_, i) => `g${i}`),
      },
      claimPreset('generic'),
    );
    expect(mapped?.id).toBe('s');
    expect(mapped?.roles).toEqual(['ok']);
    expect(mapped?.groups).toHaveLength(256);
    expect(mapClaims({ sub: 's', roles: 'single' }, claimPreset('generic'))?.roles).toEqual(['single']);
    expect(
      mapClaims({ sub: 's' }, { id: [['sub']], roles: [['constructor']], groups: [['__proto__']] }),
    ).toEqual({
      id: 's',
      type: 'user',
      roles: [],
      groups: [],
    });
  });

  it('yields nothing without a usable id', () => {
    expect(mapClaims({ email: '  ' }, claimPreset('generic'))).toBeUndefined();
    expect(mapClaims({}, claimPreset('generic'))).toBeUndefined();
  });

  it('parses dotted custom paths', () => {
    expect(parseClaimPath('resource_access.my-client.roles')).toEqual([
      'resource_access',
      'my-client',
      'roles',
    ]);
    expect(() => parseClaimPath('a..b')).toThrow(/invalid claim path/);
    expect(() => parseClaimPath('')).toThrow();
  });

  it('maps groups to roles by configuration, without prototype keys', () => {
    const map = { 'acl-admins': ['acl-admin'], auditors: ['acl-viewer', 'auditor'] };
    expect(rolesForGroups(['auditors', 'unknown', 'constructor'], map, ['x'])).toEqual([
      'acl-viewer',
      'auditor',
      'x',
    ]);
  });
});
