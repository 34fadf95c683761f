import { describe, expect, it } from 'vitest';
import { groupCnUnder, splitDn, unescapeDnValue } from './dn';

const base = 'ou=groups,dc=company,dc=com';

describe('splitDn', () => {
  it('splits on unescaped commas only', () => {
    expect(splitDn('cn=a\\,b,ou=groups, dc=company')).toEqual(['cn=a\\,b', 'ou=groups', 'dc=company']);
  });

  it('gives nothing for an empty DN', () => {
    expect(splitDn('')).toEqual([]);
  });
});

describe('unescapeDnValue', () => {
  it('handles character and hex escapes', () => {
    expect(unescapeDnValue('a\\,b\\2Cc\\\\d')).toBe('a,b,c\\d');
  });
});

describe('groupCnUnder', () => {
  it('reads the cn of a group directly under the base', () => {
    expect(groupCnUnder('cn=researchers,ou=groups,dc=company,dc=com', base)).toBe('researchers');
  });

  it('compares the base case-insensitively and ignores spaces after commas', () => {
    expect(groupCnUnder('CN=Researchers, OU=Groups, DC=Company, DC=com', base)).toBe('Researchers');
  });

  it.each([
    ['a group elsewhere', 'cn=researchers,ou=other,dc=company,dc=com'],
    ['a nested entry', 'cn=x,cn=researchers,ou=groups,dc=company,dc=com'],
    ['the base itself', base],
    ['a non-cn RDN', 'uid=alice,ou=groups,dc=company,dc=com'],
    ['an empty cn', 'cn=,ou=groups,dc=company,dc=com'],
    ['a lookalike base', 'cn=x,ou=groups,dc=company,dc=com,dc=evil'],
  ])('ignores %s', (_label, dn) => {
    expect(groupCnUnder(dn, base)).toBeUndefined();
  });

  it('unescapes the group name', () => {
    expect(groupCnUnder('cn=r\\,d,ou=groups,dc=company,dc=com', base)).toBe('r,d');
  });
});
