import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpAddress, parseIpAddress } from '../cidr';
import { parsePolicyDocument } from '../parse/parse-document';
import { CompiledDocument } from './compiled-document';
import type { CompiledRule } from './compiled-rule';

function compileIn(model: string, id: string, conditions: Record<string, unknown>): CompiledRule {
  const parsed = parsePolicyDocument({
    model,
    rules: [{ id, principal: { type: 'any' }, operations: ['infer'], conditions }],
  });
  if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
  return new CompiledDocument(parsed.value, 1).rules[0]!;
}

const compile = (conditions: Record<string, unknown>): CompiledRule => compileIn('m', 'r', conditions);

describe('CompiledRule', () => {
  it('checks conditions in order: validity, address, time window', () => {
    const rule = compile({
      valid_from: '2026-01-01T00:00:00Z',
      valid_until: '2026-12-31T23:59:59Z',
      ip_range: ['10.0.0.0/8'],
      time_window: { days: ['mon'], start: '09:00', end: '10:00', tz: 'UTC' },
    });
    const monday9 = Date.UTC(2026, 0, 5, 9);
    const ip = parseIpAddress('10.1.1.1');
    expect(rule.failureAt(Date.UTC(2025, 0, 5, 9), null)).toBe('not_yet_valid');
    expect(rule.failureAt(Date.UTC(2027, 0, 4, 9), null)).toBe('expired');
    expect(rule.failureAt(monday9 + 3_600_000, null)).toBe('ip_not_allowed');
    expect(rule.failureAt(monday9 + 3_600_000, ip)).toBe('outside_time_window');
    expect(rule.failureAt(monday9, ip)).toBeNull();
  });

  it('prefers the least (document model, rule id)', () => {
    const at = (model: string, id: string): CompiledRule => compileIn(model, id, {});
    expect(at('a', 'z').precedes(at('b', 'a'))).toBe(true);
    expect(at('m', 'a').precedes(at('m', 'b'))).toBe(true);
    expect(at('m', 'b').precedes(at('m', 'b'))).toBe(false);
  });

  it('matches an address exactly as a node:net BlockList of the same ranges does', () => {
    const v4Cidr = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }))
      .map(([a, p]) => {
        const network = p === 0 ? 0 : (a & (0xffffffff << (32 - p))) >>> 0;
        return `${formatIpAddress(network)}/${p}`;
      });
    const word = fc.integer({ min: 0, max: 0xffffffff });
    // IPv6 outside ::/80 so that no address is IPv4-mapped (BlockList and we treat those alike, but differently from plain IPv6).
    const v6Words = fc.tuple(fc.integer({ min: 1, max: 0xffffffff }), word, word, word);
    const v6Cidr = fc.tuple(v6Words, fc.integer({ min: 0, max: 128 })).map(([words, p]) => {
      const network = words.map((w, i) => {
        const bits = p - 32 * i;
        return bits >= 32 ? w : bits <= 0 ? 0 : (w & (0xffffffff << (32 - bits))) >>> 0;
      });
      return `${formatIpAddress(Uint32Array.from(network))}/${p}`;
    });
    const address = fc.oneof(
      word.map((w) => formatIpAddress(w)),
      v6Words.map((w) => formatIpAddress(Uint32Array.from(w))),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(v4Cidr, v6Cidr), { minLength: 1, maxLength: 4 }),
        fc.array(address, { minLength: 1, maxLength: 8 }),
        (cidrs, addresses) => {
          const rule = compile({ ip_range: cidrs });
          // BlockList also matches IPv4 against IPv6 subnets (as mapped addresses); a rule's
          // IPv6 ranges never meet an IPv4 client (tested below), so compare per family.
          const lists = { ipv4: new BlockList(), ipv6: new BlockList() };
          for (const cidr of rule.source.conditions.ipRange!) {
            const [net, prefix] = cidr.text.split('/');
            const family = cidr.family === 4 ? 'ipv4' : 'ipv6';
            lists[family].addSubnet(net!, Number(prefix), family);
          }
          // Addresses at the ranges' own networks hit them; random ones mostly miss.
          const near = cidrs.map((c) => c.split('/')[0]!);
          for (const text of [...addresses, ...near]) {
            const family = text.includes(':') ? 'ipv6' : 'ipv4';
            expect(rule.allowsIp(parseIpAddress(text))).toBe(lists[family].check(text, family));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a rule with only IPv4 ranges refuses IPv6 and the other way round', () => {
    expect(compile({ ip_range: ['0.0.0.0/0'] }).allowsIp(parseIpAddress('::1'))).toBe(false);
    expect(compile({ ip_range: ['::/0'] }).allowsIp(parseIpAddress('1.2.3.4'))).toBe(false);
    expect(compile({ ip_range: ['::/0'] }).allowsIp(null)).toBe(false);
  });
});
