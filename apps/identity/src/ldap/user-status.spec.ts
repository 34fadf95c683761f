import { describe, expect, it } from 'vitest';
import { userStatusOf } from './ldap-directory';

describe('userStatusOf', () => {
  it.each([
    ['no entry', [], 'missing'],
    ['two entries', [{ dn: 'a' }, { dn: 'b' }], 'ambiguous'],
    ['a plain entry', [{ dn: 'a' }], 'active'],
    ['ppolicy administrative lock', [{ dn: 'a', pwdAccountLockedTime: '000001010000Z' }], 'disabled'],
    ['the lock in another letter case', [{ dn: 'a', PWDACCOUNTLOCKEDTIME: ['000001010000Z'] }], 'disabled'],
    ['a timed lock-out (failed logins)', [{ dn: 'a', pwdAccountLockedTime: '20261202070000Z' }], 'active'],
    ['AD ACCOUNTDISABLE', [{ dn: 'a', userAccountControl: '514' }], 'disabled'],
    ['AD normal account', [{ dn: 'a', userAccountControl: '512' }], 'active'],
    ['AD lock-out flag only', [{ dn: 'a', userAccountControl: '528' }], 'active'],
    ['garbage userAccountControl', [{ dn: 'a', userAccountControl: 'x2' }], 'active'],
    ['binary values', [{ dn: 'a', pwdAccountLockedTime: [Buffer.from('000001010000Z')] }], 'disabled'],
  ] as const)('%s → %s', (_case, entries, status) => {
    expect(userStatusOf(entries as unknown as Record<string, unknown>[])).toBe(status);
  });
});
