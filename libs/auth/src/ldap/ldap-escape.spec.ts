import { describe, expect, it } from 'vitest';
import { escapeDnValue, escapeFilterValue } from './ldap-escape';

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['alice)(uid=*', 'alice\\29\\28uid=\\2a'],
    ['*)(|(objectClass=*', '\\2a\\29\\28|\\28objectClass=\\2a'],
    ['a\\b', 'a\\5cb'],
    ['nul\u0000byte', 'nul\\00byte'],
    ['line\nfeed', 'line\\0afeed'],
    ['müller', 'müller'],
  ])('%j → %j', (input, expected) => {
    expect(escapeFilterValue(input)).toBe(expected);
  });

  it('leaves no filter metacharacter unescaped, whatever the input', () => {
    const hostile = '()*\\\u0000'.repeat(10) + 'x';
    expect(escapeFilterValue(hostile).replace(/\\[0-9a-f]{2}/g, '')).toBe('x');
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it.each([
    ['alice', 'alice'],
    ['a,ou=admins', 'a\\,ou\\=admins'],
    ['x+cn=y', 'x\\+cn\\=y'],
    ['"q"<>;', '\\"q\\"\\<\\>\\;'],
    ['#lead', '\\#lead'],
    [' lead and trail ', '\\ lead and trail\\ '],
    ['back\\slash', 'back\\\\slash'],
    ['nul\u0000', 'nul\\00'],
  ])('%j → %j', (input, expected) => {
    expect(escapeDnValue(input)).toBe(expected);
  });
});
