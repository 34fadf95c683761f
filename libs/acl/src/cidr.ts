// Strict IP and CIDR parsing. Anything a human could read two ways is rejected: leading zeros
// in IPv4 octets (octal in some parsers), host bits under the prefix (was `1.2.3.4/8` meant as
// `1.0.0.0/8` or `/32`?), zone ids, brackets, whitespace, non-ASCII digits. IPv4-mapped IPv6
// addresses (`::ffff:10.1.2.3`) are IPv4: a client connected over a dual-stack socket must
// meet the same IPv4 rules as one connected over IPv4.
import type { Cidr } from './policy';

/** An address as the evaluator compares it: an IPv4 address as a number, IPv6 as four words. */
export type IpAddress = number | Uint32Array;

const MAX_ADDRESS_TEXT = 64; // longest IPv6 text with embedded IPv4 is 45 characters

/** Parses one IPv4 or IPv6 address (no prefix); null when it is not one, exactly written. */
export function parseIpAddress(text: string): IpAddress | null {
  if (text.length > MAX_ADDRESS_TEXT) return null;
  // IPv4 first: the common case, and an IPv6 address fails it within a few characters.
  const v4 = parseIpv4(text);
  if (v4 >= 0) return v4;
  const words = text.includes(':') ? parseIpv6(text) : null;
  return words === null ? null : unmapIpv4(words);
}

/** The IPv4 address as an unsigned 32-bit number, or -1. */
function parseIpv4(text: string): number {
  let value = 0;
  let octets = 0;
  let i = 0;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      octet = octet * 10 + (c - 0x30);
      i++;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255) return -1;
    if (digits > 1 && text.charCodeAt(start) === 0x30) return -1; // leading zero
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (text.charCodeAt(i) !== 0x2e) return -1;
      i++;
    }
  }
  return i === text.length ? value : -1;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Eight 16-bit groups, `::` at most once, an optional dotted IPv4 tail; four 32-bit words. */
function parseIpv6(text: string): Uint32Array | null {
  const groups: number[] = [];
  let gap = -1; // index in groups where `::` stands
  let i = 0;
  if (text.startsWith('::')) {
    gap = 0;
    i = 2;
    if (text.length === 2) return new Uint32Array(4);
  } else if (text.charCodeAt(0) === 0x3a) {
    return null;
  }
  while (i < text.length) {
    const start = i;
    let group = 0;
    while (i < text.length && i - start < 5) {
      const d = hexDigit(text.charCodeAt(i));
      if (d < 0) break;
      group = group * 16 + d;
      i++;
    }
    const digits = i - start;
    if (i < text.length && text.charCodeAt(i) === 0x2e) {
      // Dotted IPv4 tail: only as the last 32 bits.
      const v4 = parseIpv4(text.slice(start));
      if (v4 < 0 || groups.length > 6) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      i = text.length;
      break;
    }
    if (digits === 0 || digits > 4) return null;
    groups.push(group);
    if (i === text.length) break;
    if (text.charCodeAt(i) !== 0x3a) return null; // includes `%zone`
    i++;
    if (text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return null; // a second `::`
      gap = groups.length;
      i++;
      if (i === text.length) break;
    } else if (i === text.length) {
      return null; // trailing single colon
    }
  }
  if (gap < 0 ? groups.length !== 8 : groups.length > 7) return null;
  const full =
    gap < 0
      ? groups
      : [...groups.slice(0, gap), ...new Array<number>(8 - groups.length).fill(0), ...groups.slice(gap)];
  const words = new Uint32Array(4);
  for (let w = 0; w < 4; w++) words[w] = full[2 * w]! * 65536 + full[2 * w + 1]!;
  return words;
}

/** `::ffff:a.b.c.d` becomes the IPv4 address a.b.c.d; any other IPv6 address stays. */
function unmapIpv4(words: Uint32Array): IpAddress {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff ? words[3]! : words;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; problem: string };

const EXPECTED = 'an IPv4 or IPv6 address with an optional /prefix';

/** Parses `address[/prefix]` and returns it canonical, or what is wrong with it. */
export function parseCidr(text: string): CidrResult {
  if (text.length > MAX_ADDRESS_TEXT + 4) return { ok: false, problem: `expected ${EXPECTED}, too long` };
  if (text.includes('%')) return { ok: false, problem: 'zone ids (%...) are not allowed in a CIDR' };
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const isV6 = addressText.includes(':');
  const words = isV6 ? parseIpv6(addressText) : null;
  const v4 = isV6 ? -1 : parseIpv4(addressText);
  if (words === null && v4 < 0) {
    if (!isV6 && /(^|\.)0[0-9]/.test(addressText))
      return {
        ok: false,
        problem: 'leading zeros are not allowed in IPv4 octets (some parsers read them as octal)',
      };
    return { ok: false, problem: `expected ${EXPECTED}` };
  }
  const maxPrefix = isV6 ? 128 : 32;
  let prefix = maxPrefix;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > maxPrefix) {
      return { ok: false, problem: `expected a prefix length from 0 to ${maxPrefix}` };
    }
    prefix = Number(prefixText);
  }
  let cidr: Cidr;
  if (words !== null) {
    const mapped = unmapIpv4(words);
    // A prefix over the mapped range shorter than /96 always has host bits set (ffff sits in
    // bits 80-95), so every valid mapped CIDR converts to an IPv4 one.
    cidr =
      typeof mapped === 'number' && prefix >= 96
        ? makeCidr(4, [mapped], prefix - 96)
        : makeCidr(6, Array.from(words), prefix);
  } else {
    cidr = makeCidr(4, [v4], prefix);
  }
  const network = networkWords(cidr.words, cidr.prefix);
  if (network.some((word, index) => word !== cidr.words[index])) {
    const fixed = makeCidr(cidr.family, network, cidr.prefix);
    return {
      ok: false,
      problem: `host bits are set under the /${cidr.prefix} prefix (the network is ${fixed.text})`,
    };
  }
  return { ok: true, cidr };
}

function makeCidr(family: 4 | 6, words: number[], prefix: number): Cidr {
  const address = family === 4 ? formatIpv4(words[0]!) : formatIpv6(words);
  // join, not a template: a template makes a rope of the parts, kept with every rule.
  return { family, words, prefix, text: [address, prefix].join('/') };
}

/** The words with every bit after `prefix` cleared. */
function networkWords(words: readonly number[], prefix: number): number[] {
  return words.map((word, index) => (word & maskWord(prefix - 32 * index)) >>> 0);
}

/** The 32-bit mask for a word of which the first `bits` bits belong to the network. */
export function maskWord(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as `::`. */
export function formatIpv6(words: ArrayLike<number>): string {
  const groups: number[] = [];
  for (let w = 0; w < 4; w++) groups.push(words[w]! >>> 16, words[w]! & 0xffff);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatIpAddress(address: IpAddress): string {
  return typeof address === 'number' ? formatIpv4(address) : formatIpv6(address);
}

/** Whether `address` lies in `cidr` (an IPv4 address never lies in an IPv6 range, and back). */
export function cidrContains(cidr: Cidr, address: IpAddress): boolean {
  if (typeof address === 'number') {
    return cidr.family === 4 && (address & maskWord(cidr.prefix)) >>> 0 === cidr.words[0];
  }
  if (cidr.family !== 6) return false;
  for (let w = 0; w < 4; w++) {
    if ((address[w]! & maskWord(cidr.prefix - 32 * w)) >>> 0 !== cidr.words[w]) return false;
  }
  return true;
}
