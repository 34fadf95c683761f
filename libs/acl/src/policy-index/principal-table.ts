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
