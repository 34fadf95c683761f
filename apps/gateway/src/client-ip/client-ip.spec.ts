import { describe, expect, it } from 'vitest';
import { resolveClientIp, TrustedProxies } from './client-ip';

const none = TrustedProxies.parse([]);
const proxies = TrustedProxies.parse(['10.0.0.0/8', '2001:db8::/32', '127.0.0.1']);

describe('resolveClientIp', () => {
  it('uses the socket peer when no proxy is trusted, whatever the headers say', () => {
    expect(resolveClientIp('203.0.113.7', '10.1.1.1', 'x-forwarded-for', none)).toBe('203.0.113.7');
    expect(resolveClientIp('203.0.113.7', 'for=10.1.1.1', 'forwarded', none)).toBe('203.0.113.7');
    expect(resolveClientIp('::ffff:203.0.113.7', undefined, 'x-forwarded-for', none)).toBe('203.0.113.7');
  });

  it('ignores forwarding headers from a peer that is not trusted (spoofing)', () => {
    expect(resolveClientIp('198.51.100.2', '10.0.0.5', 'x-forwarded-for', proxies)).toBe('198.51.100.2');
  });

  it('takes the rightmost untrusted hop behind trusted proxies', () => {
    // The client forged "10.9.9.9" on the left; the proxy appended the real address.
    expect(resolveClientIp('10.0.0.2', '10.9.9.9, 203.0.113.50', 'x-forwarded-for', proxies)).toBe(
      '203.0.113.50',
    );
    // Two proxies: the second one (10.0.0.3) appended the first one's address.
    expect(resolveClientIp('10.0.0.2', '203.0.113.50, 10.0.0.3', 'x-forwarded-for', proxies)).toBe(
      '203.0.113.50',
    );
    // An intranet client behind the proxy keeps its intranet address.
    expect(resolveClientIp('127.0.0.1', '192.168.1.20', 'x-forwarded-for', proxies)).toBe('192.168.1.20');
    // Multiple header lines are one list.
    expect(resolveClientIp('10.0.0.2', ['1.1.1.1', '203.0.113.9'], 'x-forwarded-for', proxies)).toBe(
      '203.0.113.9',
    );
  });

  it('reads RFC 7239 Forwarded with quotes, brackets and ports', () => {
    expect(
      resolveClientIp(
        '10.0.0.2',
        'for=192.0.2.60;proto=http;by=10.0.0.2, for="[2001:db9::17]:4711"',
        'forwarded',
        proxies,
      ),
    ).toBe('2001:db9::17');
    expect(resolveClientIp('10.0.0.2', 'For="192.0.2.60:8080"', 'forwarded', proxies)).toBe('192.0.2.60');
  });

  it('answers unknown (null) when a trusted proxy forwarded garbage at the decisive hop', () => {
    for (const forged of [
      'not-an-ip',
      '',
      '010.1.1.1',
      '1.2.3.4/8',
      'unknown',
      '_hidden',
      '1.2.3.4 5.6.7.8',
      '\u0661.2.3.4',
    ]) {
      expect(resolveClientIp('10.0.0.2', `203.0.113.1, ${forged}`, 'x-forwarded-for', proxies)).toBeNull();
    }
    expect(resolveClientIp('10.0.0.2', 'proto=https', 'forwarded', proxies)).toBeNull();
    expect(resolveClientIp(undefined, '1.2.3.4', 'x-forwarded-for', proxies)).toBeNull();
  });

  it('keeps the peer when a trusted proxy sends no header', () => {
    expect(resolveClientIp('10.0.0.2', undefined, 'x-forwarded-for', proxies)).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.2', '  ', 'x-forwarded-for', proxies)).toBe('10.0.0.2');
  });

  it('reads no more than 32 hops of a hostile header', () => {
    const chain = Array.from({ length: 10_000 }, () => '10.0.0.9').join(',');
    expect(resolveClientIp('10.0.0.2', `203.0.113.1,${chain}`, 'x-forwarded-for', proxies)).toBe('10.0.0.9');
  });
});

describe('TrustedProxies.parse', () => {
  it('refuses what is not a strict CIDR', () => {
    expect(() => TrustedProxies.parse(['10.0.0.1/8'])).toThrow(/TRUSTED_PROXIES: "10.0.0.1\/8": host bits/);
    expect(() => TrustedProxies.parse(['010.0.0.0/8'])).toThrow(/leading zeros/);
  });
});
