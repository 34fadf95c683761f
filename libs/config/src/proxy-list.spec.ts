import { describe, expect, it } from 'vitest';
import { proxyList } from './fields';

describe('proxyList', () => {
  it('accepts addresses and CIDRs of both families', () => {
    expect(proxyList.parse('10.0.0.0/8, 127.0.0.1,::1, fd00::/8')).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
    ]);
  });

  it.each([
    ['a host name', 'gateway.internal'],
    ['a prefix too long for IPv4', '10.0.0.0/33'],
    ['a prefix too long for IPv6', '::/129'],
    ['two prefixes', '10.0.0.0/8/8'],
    ['a signed prefix', '10.0.0.0/-1'],
    ['an out-of-range octet', '10.0.0.256'],
    ['an empty prefix', '10.0.0.0/'],
  ])('refuses %s', (_, value) => {
    expect(proxyList.safeParse(value).success).toBe(false);
  });
});
