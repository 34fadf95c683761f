// The client's address: the socket peer, or — only when the peer is a trusted proxy — the
// rightmost address in the forwarding header that is not itself a trusted proxy. Everything
// left of that hop was written by the client and proves nothing.
import { cidrContains, formatIpAddress, parseCidr, parseIpAddress, type IpAddress } from '@modelgate/acl';
import type { Cidr } from '@modelgate/acl';

export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

/** More hops than any real proxy chain has; the rest of a longer header is not read. */
const MAX_HOPS = 32;

export class TrustedProxies {
  private constructor(private readonly ranges: readonly Cidr[]) {}

  /** Parses TRUSTED_PROXIES entries with libs/acl's strict rules (a bare address is a /32 or /128). */
  static parse(entries: readonly string[]): TrustedProxies {
    const ranges: Cidr[] = [];
    const problems: string[] = [];
    for (const entry of entries) {
      const result = parseCidr(entry);
      if (result.ok) ranges.push(result.cidr);
      else problems.push(`${JSON.stringify(entry)}: ${result.problem}`);
    }
    if (problems.length > 0) throw new Error(`TRUSTED_PROXIES: ${problems.join('; ')}`);
    return new TrustedProxies(ranges);
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  trusts(address: IpAddress): boolean {
    return this.ranges.some((range) => cidrContains(range, address));
  }
}

/**
 * The client address in canonical text, or null when it cannot be known (a trusted proxy
 * forwarded something that is not an address): conditions on the address then fail, closed.
 */
export function resolveClientIp(
  peer: string | undefined,
  headerValue: string | string[] | undefined,
  header: ForwardedHeader,
  trusted: TrustedProxies,
): string | null {
  const peerAddress = peer === undefined ? null : parseIpAddress(peer);
  if (peerAddress === null) return null;
  if (trusted.empty || !trusted.trusts(peerAddress)) return formatIpAddress(peerAddress);
  const text = Array.isArray(headerValue) ? headerValue.join(',') : headerValue;
  if (text === undefined || text.trim() === '') return formatIpAddress(peerAddress);
  const hops = header === 'forwarded' ? forwardedFor(text) : text.split(',');
  let current: IpAddress = peerAddress;
  for (let i = hops.length - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
    const hop = parseHop(hops[i]!);
    if (hop === null) return null;
    current = hop;
    if (!trusted.trusts(hop)) return formatIpAddress(hop);
  }
  // Every hop is a trusted proxy (or the chain is longer than MAX_HOPS): the leftmost read.
  return formatIpAddress(current);
}

/** `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:443`; else null. */
function parseHop(raw: string): IpAddress | null {
  let text = raw.trim();
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) text = text.slice(1, -1);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return parseIpAddress(bracketed[1]!);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (v4WithPort) return parseIpAddress(v4WithPort[1]!);
  return parseIpAddress(text);
}

/** The `for=` values of an RFC 7239 `Forwarded` header, one per element, in order. */
function forwardedFor(text: string): string[] {
  const out: string[] = [];
  for (const element of text.split(',')) {
    let value: string | undefined;
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      if (pair.slice(0, eq).trim().toLowerCase() === 'for') value = pair.slice(eq + 1).trim();
    }
    // An element without `for=` says nothing about the client: it breaks the chain.
    out.push(value ?? '');
  }
  return out;
}
