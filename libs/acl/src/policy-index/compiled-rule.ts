// A rule ready for checks: conditions precomputed into numbers (epoch ms, 32-bit address
// words, minute ranges), so a check compares numbers and allocates nothing.
import { maskWord, type IpAddress } from '../cidr';
import type { PolicyRule, RateLimitSpec } from '../policy';
import { CompiledTimeWindow } from '../time-window';
import type { CompiledDocument } from './compiled-document';
import { PRINCIPAL_KINDS, type PrincipalKind } from './principal-key';

/** Why a rule's conditions do not hold at a given time and address (rate limits aside). */
export type ConditionFailure = 'not_yet_valid' | 'expired' | 'ip_not_allowed' | 'outside_time_window';

// Fields are few on purpose (each is 8 bytes, and an index holds millions of rules): what a
// check does not read on every visit is read through `source` or `document`.
export class CompiledRule {
  /** The kind and name of the principal the rule names; null for `any`. */
  readonly principalKind: PrincipalKind | null;
  readonly principalName: string | null;
  readonly deny: boolean;
  // Null when absent rather than ±Infinity: a number field costs a boxed double per rule.
  readonly validFrom: number | null;
  readonly validUntil: number | null;
  // Plain arrays, not typed ones: a few numbers each, and a typed array costs far more memory.
  /** IPv4 ranges as [first, last] pairs. */
  readonly ipv4: readonly number[] | null;
  /** IPv6 ranges as groups of eight words: the network's four, then the mask's four. */
  readonly ipv6: readonly number[] | null;
  readonly timeWindow: CompiledTimeWindow | null;
  readonly rateLimit: RateLimitSpec | null;

  constructor(
    readonly source: PolicyRule,
    readonly document: CompiledDocument,
  ) {
    const c = source.conditions;
    const { type, value } = source.principal;
    this.principalKind = type === 'any' ? null : PRINCIPAL_KINDS[type];
    this.principalName = type === 'any' ? null : value;
    this.deny = source.effect === 'deny';
    this.validFrom = c.validFrom ?? null;
    this.validUntil = c.validUntil ?? null;
    let ipv4: number[] | null = null;
    let ipv6: number[] | null = null;
    for (const cidr of c.ipRange ?? []) {
      if (cidr.family === 4)
        (ipv4 ??= []).push(cidr.words[0]!, (cidr.words[0]! | ~maskWord(cidr.prefix)) >>> 0);
      else (ipv6 ??= []).push(...cidr.words, ...[0, 1, 2, 3].map((w) => maskWord(cidr.prefix - 32 * w)));
    }
    // `slice()`: drop the spare capacity that pushing leaves.
    this.ipv4 = ipv4 && ipv4.slice();
    this.ipv6 = ipv6 && ipv6.slice();
    this.timeWindow = c.timeWindow ? new CompiledTimeWindow(c.timeWindow) : null;
    this.rateLimit = c.rateLimit ?? null;
  }

  /** Whether the rule names the principal of `kind` called `name` (a table key is a hash). */
  names(kind: PrincipalKind, name: string): boolean {
    return this.principalName === name && this.principalKind === kind;
  }

  get id(): string {
    return this.source.id;
  }

  /** The model pattern of the document the rule is in. */
  get documentModel(): string {
    return this.document.pattern;
  }

  get version(): number {
    return this.document.version;
  }

  /**
   * Whether this rule is preferred to `other` when both decide alike: the least (document
   * model, rule id), unique in a document set, so that no order of rules or documents ever
   * changes an outcome.
   */
  precedes(other: CompiledRule): boolean {
    return (
      this.documentModel < other.documentModel ||
      (this.documentModel === other.documentModel && this.id < other.id)
    );
  }

  /** The first condition that fails, in the order validity, address, time window; or null. */
  failureAt(time: number, ip: IpAddress | null): ConditionFailure | null {
    if (this.validFrom !== null && time < this.validFrom) return 'not_yet_valid';
    if (this.validUntil !== null && time > this.validUntil) return 'expired';
    if ((this.ipv4 !== null || this.ipv6 !== null) && !this.allowsIp(ip)) return 'ip_not_allowed';
    if (this.timeWindow !== null && !this.timeWindow.contains(time)) return 'outside_time_window';
    return null;
  }

  /** True when `ip` lies in one of the rule's ranges; a request without an address does not. */
  allowsIp(ip: IpAddress | null): boolean {
    if (ip === null) return false;
    if (typeof ip === 'number') {
      const ranges = this.ipv4;
      if (ranges === null) return false;
      for (let i = 0; i < ranges.length; i += 2) if (ip >= ranges[i]! && ip <= ranges[i + 1]!) return true;
      return false;
    }
    const ranges = this.ipv6;
    if (ranges === null) return false;
    for (let i = 0; i < ranges.length; i += 8) {
      if (
        (ip[0]! & ranges[i + 4]!) >>> 0 === ranges[i]! &&
        (ip[1]! & ranges[i + 5]!) >>> 0 === ranges[i + 1]! &&
        (ip[2]! & ranges[i + 6]!) >>> 0 === ranges[i + 2]! &&
        (ip[3]! & ranges[i + 7]!) >>> 0 === ranges[i + 3]!
      ) {
        return true;
      }
    }
    return false;
  }
}
