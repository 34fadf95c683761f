// Principal names interned to small integers, shared by all documents of an index. A check
// turns the caller's id, roles and groups into these numbers once (a handful of lookups in
// maps that are hot in cache) and then probes each document's table with integer keys, which
// is cheaper than comparing strings in every document.
import type { RulePrincipalType } from '../policy';

/** The number that stands for `any`: every caller has it. */
export const ANY_PRINCIPAL = 0;

type NamedPrincipalType = Exclude<RulePrincipalType, 'any'>;

export class PrincipalTable {
  // One map per kind of name: a user and a role may be spelled alike and are not the same.
  readonly users = new Map<string, number>();
  readonly roles = new Map<string, number>();
  readonly groups = new Map<string, number>();
  readonly apiKeys = new Map<string, number>();
  readonly serviceAccounts = new Map<string, number>();
  /** How many rules name each number; a number is freed for reuse at zero. */
  private readonly uses: number[] = [0];
  private readonly free: number[] = [];

  /** The number of a principal named by a rule, counted as one more use. */
  acquire(type: RulePrincipalType, value: string | null): number {
    if (type === 'any') return ANY_PRINCIPAL;
    const names = this.names(type);
    let number = names.get(value!);
    if (number === undefined) {
      number = this.free.pop() ?? this.uses.length;
      names.set(value!, number);
      this.uses[number] = 0;
    }
    this.uses[number]!++;
    return number;
  }

  /** One use fewer of a principal acquired before. */
  release(type: RulePrincipalType, value: string | null): void {
    if (type === 'any') return;
    const names = this.names(type);
    const number = names.get(value!)!;
    if (--this.uses[number]! > 0) return;
    names.delete(value!);
    this.free.push(number);
  }

  private names(type: NamedPrincipalType): Map<string, number> {
    switch (type) {
      case 'user':
        return this.users;
      case 'role':
        return this.roles;
      case 'group':
        return this.groups;
      case 'api_key':
        return this.apiKeys;
      case 'service_account':
        return this.serviceAccounts;
    }
  }
}

/**
 * The bit of a caller's own name (a user, API key or service account id) in a document's
 * `ownFilter`: one bit of a 32-bit word from a hash of the type and the name. A check whose
 * bit no applicable document has set skips the lookup of its id in the large map of names.
 */
export function ownNameBit(type: 'user' | 'api_key' | 'service_account', name: string): number {
  // FNV-1a over the UTF-16 code units, seeded by the type, then a final multiplicative mix.
  let hash = type === 'user' ? 0x811c9dc5 : type === 'api_key' ? 0x050c5d1f : 0x2f8b3c6d;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return 1 << (Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 27);
}
