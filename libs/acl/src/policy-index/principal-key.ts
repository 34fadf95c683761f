// A named principal (a user, role, group, API key or service account) as a number computed
// from its kind and name alone: a hash. A document keys its rules by these numbers and a
// check hashes the caller's id, roles and groups, so no table of names stands between the two:
// a map of every principal any rule names would be the index's largest (100k users), and
// reading it for each check missed the cache more than anything else. Two names may share a
// hash, so a rule found under one is taken only when its kind and name are the caller's.
import type { RulePrincipalType } from '../policy';

/** The kinds of named principal, as small integers: a user and a role spelled alike differ. */
export const PRINCIPAL_KINDS = {
  user: 0,
  api_key: 1,
  service_account: 2,
  role: 3,
  group: 4,
} as const satisfies Record<Exclude<RulePrincipalType, 'any'>, number>;

export type PrincipalKind = (typeof PRINCIPAL_KINDS)[keyof typeof PRINCIPAL_KINDS];

// One FNV-1a offset basis per kind, so that the kind is part of the hash.
const SEEDS: readonly number[] = [0x811c9dc5, 0x050c5d1f, 0x2f8b3c6d, 0x6a09e667, 0x3c6ef372];

/**
 * The principal's number: 1 to 2^27 - 1 (table keys multiply it by the operation count and
 * stay small integers, which V8 stores unboxed; 0 is the tables' empty slot).
 */
export function principalHash(kind: PrincipalKind, name: string): number {
  // FNV-1a-like over pairs of UTF-16 code units (half the dependent multiplications of one
  // unit at a time: this runs for every name of every check), then a final mix of the high
  // bits into the low. The length goes in first, so "a" and "a\u0000" differ.
  let hash = Math.imul(SEEDS[kind]! ^ name.length, 0x01000193);
  const pairs = name.length & ~1;
  for (let i = 0; i < pairs; i += 2)
    hash = Math.imul(hash ^ (name.charCodeAt(i) | (name.charCodeAt(i + 1) << 16)), 0x01000193);
  if (pairs !== name.length) hash = Math.imul(hash ^ name.charCodeAt(pairs), 0x01000193);
  hash = Math.imul(hash ^ (hash >>> 15), 0x85ebca6b);
  return (hash ^ (hash >>> 13)) >>> 5 || 1;
}

/** The caller as the index knows it. */
export interface PrincipalSubject {
  readonly principalType: 'user' | 'api_key' | 'service_account';
  readonly principalId: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

/**
 * The caller's named principals, three parallel lists of `count` entries: the hash, the kind
 * and the name of its own id, then of each role, then of each group. `check` reuses one (see
 * `fill`); the lists only grow, so a reuse allocates nothing.
 */
export class CallerKeys {
  count = 0;
  readonly hashes: number[] = [];
  readonly kinds: PrincipalKind[] = [];
  readonly names: string[] = [];

  static of(subject: PrincipalSubject): CallerKeys {
    return new CallerKeys().fill(subject);
  }

  /** These lists made those of `subject`. */
  fill(subject: PrincipalSubject): this {
    this.count = 0;
    this.add(PRINCIPAL_KINDS[subject.principalType], subject.principalId);
    // A role or group named twice by identity is probed twice: harmless, and rarer than the
    // cost of looking for repeats in every check.
    const { roles, groups } = subject;
    for (let i = 0; i < roles.length; i++) this.add(PRINCIPAL_KINDS.role, roles[i]!);
    for (let i = 0; i < groups.length; i++) this.add(PRINCIPAL_KINDS.group, groups[i]!);
    return this;
  }

  private add(kind: PrincipalKind, name: string): void {
    const at = this.count++;
    this.hashes[at] = principalHash(kind, name);
    this.kinds[at] = kind;
    this.names[at] = name;
  }
}
