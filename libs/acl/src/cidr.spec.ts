import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrContains, formatIpAddress, formatIpv6, parseCidr, parseIpAddress } from './cidr';

describe('parseIpAddress', () => {
  it.each([
    ['0.0.0.0', 0],
    ['255.255.255.255', 0xffffffff],
    ['10.1.2.3', 0x0a010203],
    ['::ffff:10.1.2.3', 0x0a010203],
    ['::FFFF:a01:203', 0x0a010203],
    ['0:0:0:0:0:ffff:10.1.2.3', 0x0a010203],
  ])('reads %s as the IPv4 address %d', (text, value) => {
    expect(parseIpAddress(text)).toBe(value);
  });

  it.each([
    ['::', [0, 0, 0, 0]],
    ['::1', [0, 0, 0, 1]],
    ['2001:db8::1', [0x20010db8, 0, 0, 1]],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', [0x20010db8, 0, 0, 1]],
    ['1::', [0x00010000, 0, 0, 0]],
    ['1:2:3:4:5:6:7::', [0x00010002, 0x00030004, 0x00050006, 0x00070000]],
    ['::2:3:4:5:6:7:8', [0x00000002, 0x00030004, 0x00050006, 0x00070008]],
    // Embedded IPv4 that is not the mapped range stays IPv6 (NAT64 well-known prefix).
    ['64:ff9b::192.0.2.33', [0x0064ff9b, 0, 0, 0xc0000221]],
    ['::1.2.3.4', [0, 0, 0, 0x01020304]],
  ])('reads %s as IPv6', (text, words) => {
    expect(Array.from(parseIpAddress(text) as Uint32Array)).toEqual(words);
  });

  it.each([
    '',
    '010.0.0.1', // octal in some parsers
    '10.00.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '256.0.0.0',
    '1.2.3.-1',
    '0x7f.0.0.1',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '1.2.3.4\n',
    '１.2.3.4', // full-width digit
    '١.2.3.4', // Arabic-Indic digit
    '1.2.3.4/32',
    'fe80::1%eth0', // zone id
    '[::1]',
    ':::',
    '1::2::3',
    '12345::',
    '::ffff:1.2.3',
    '::1.2.3.4.5',
    '::1:',
    ':1::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '1:2:3:4:5:6:7:1.2.3.4',
    'g::1',
    '1.2.3.4::',
    '9'.repeat(100_000),
    `${'1:'.repeat(50_000)}1`,
  ])('rejects %j', (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });

  it('reads back what it formats (IPv4)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        (value) => parseIpAddress(formatIpAddress(value)) === value,
      ),
    );
  });

  it('formats IPv6 as RFC 5952 does (the WHATWG URL serialiser agrees) and reads it back', () => {
    const word = fc.oneof(
      fc.constant(0),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffff }),
    );
    fc.assert(
      fc.property(fc.tuple(word, word, word, word), (words) => {
        const text = formatIpv6(words);
        expect(`[${text}]`).toBe(new URL(`http://[${text}]/`).host);
        const back = parseIpAddress(text);
        const expected = words[0] === 0 && words[1] === 0 && words[2] === 0xffff ? words[3] : words;
        expect(typeof back === 'number' ? back : Array.from(back!)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3', '10.1.2.3/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:0db8:0000::/48', '2001:db8::/48'],
    ['::1', '::1/128'],
    ['::/0', '::/0'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
    ['::ffff:10.1.2.3', '10.1.2.3/32'],
  ])('canonicalises %s as %s', (text, canonical) => {
    const parsed = parseCidr(text);
    expect(parsed.ok && parsed.cidr.text).toBe(canonical);
  });

  it.each([
    ['10.0.0.0/33', 'prefix length from 0 to 32'],
    ['::/129', 'prefix length from 0 to 128'],
    ['10.0.0.0/08', 'prefix length'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/-1', 'prefix length'],
    ['10.0.0.0/ 8', 'prefix length'],
    ['10.0.0.0/8 ', 'prefix length'],
    ['10.0.0.0/８', 'prefix length'],
    ['1.2.3.4/8', 'host bits are set under the /8 prefix (the network is 1.0.0.0/8)'],
    ['2001:db8::1/32', 'host bits are set under the /32 prefix (the network is 2001:db8::/32)'],
    ['::ffff:0:0/95', 'host bits are set'],
    ['fe80::/10%eth0', 'zone ids'],
    ['010.0.0.0/8', 'leading zeros'],
    ['garbage', 'expected an IPv4 or IPv6 address'],
    ['10.0.0.0/8,10.1.0.0/16', 'prefix length'],
    [`10.0.0.0/${'9'.repeat(10_000)}`, 'too long'],
  ])('rejects %j: %s', (text, problem) => {
    const parsed = parseCidr(text);
    expect(parsed.ok ? 'accepted' : parsed.problem).toContain(problem);
  });

  it('describes the same range as a BlockList subnet (IPv4)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 32 }),
        (address, prefix) => {
          const network = prefix === 0 ? 0 : (address & (0xffffffff << (32 - prefix))) >>> 0;
          const parsed = parseCidr(`${formatIpAddress(network)}/${prefix}`);
          expect(parsed.ok).toBe(true);
          // A host bit set anywhere under the prefix is refused.
          if (prefix < 32)
            expect(parseCidr(`${formatIpAddress((network | 1) >>> 0)}/${prefix}`).ok).toBe(false);
        },
      ),
    );
  });
});

describe('cidrContains', () => {
  const cidr = (text: string) => {
    const r = parseCidr(text);
    if (!r.ok) throw new Error(r.problem);
    return r.cidr;
  };
  const ip = (text: string) => parseIpAddress(text)!;

  it('holds for addresses inside the range and only those', () => {
    expect(cidrContains(cidr('10.0.0.0/8'), ip('10.255.1.2'))).toBe(true);
    expect(cidrContains(cidr('10.0.0.0/8'), ip('11.0.0.0'))).toBe(false);
    expect(cidrContains(cidr('0.0.0.0/0'), ip('203.0.113.9'))).toBe(true);
    expect(cidrContains(cidr('127.0.0.1'), ip('127.0.0.1'))).toBe(true);
    expect(cidrContains(cidr('127.0.0.1'), ip('127.0.0.2'))).toBe(false);
    expect(cidrContains(cidr('2001:db8::/32'), ip('2001:db8:ffff::1'))).toBe(true);
    expect(cidrContains(cidr('2001:db8::/32'), ip('2001:db9::1'))).toBe(false);
    expect(cidrContains(cidr('::1/128'), ip('::1'))).toBe(true);
  });

  it('never mixes families, and treats IPv4-mapped IPv6 as IPv4', () => {
    expect(cidrContains(cidr('::/0'), ip('10.0.0.1'))).toBe(false);
    expect(cidrContains(cidr('0.0.0.0/0'), ip('2001:db8::1'))).toBe(false);
    expect(cidrContains(cidr('10.0.0.0/8'), ip('::ffff:10.1.2.3'))).toBe(true);
  });

  it('agrees with a bitwise reference on random IPv4 inputs', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 0xffffffff }),
        fc.nat({ max: 32 }),
        (a, b, p) => {
          const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
          const network = (a & mask) >>> 0;
          const range = { family: 4 as const, words: [network], prefix: p, text: '' };
          expect(cidrContains(range, b)).toBe((b & mask) >>> 0 === network);
        },
      ),
    );
  });
});
