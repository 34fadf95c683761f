// One document compiled: its rules in one table keyed by (principal hash, operation), so that
// a check probes it once per principal the caller has (its id, roles and groups), and a list
// per operation of the rules for `any` caller.
import { compileGlob, type Glob } from '../glob';
import { OPERATIONS, type PolicyDocument, type PolicyMode } from '../policy';
import { CompiledRule } from './compiled-rule';
import { PRINCIPAL_KINDS, principalHash } from './principal-key';
import {
  buildRuleSlots,
  filterBitA,
  filterBitB,
  findRules,
  keyHash,
  type RuleEntry,
  type RuleSlots,
} from './rule-table';

export const OPERATION_COUNT = OPERATIONS.length;

// Keys must stay small integers (below 2^30): principal hashes are below 2^27.
if (OPERATION_COUNT > 8) throw new Error('rule keys assume at most 8 operations');

/** The table key of a principal hash (`principalHash`) and an operation index. */
export function ruleKey(principal: number, operationIndex: number): number {
  return principal * OPERATION_COUNT + operationIndex;
}

export class CompiledDocument {
  // The fields a check reads come first (V8 lays fields out in the order they are assigned,
  // so these share the object's first cache lines): `version`, `flags`, the key filter, `table`.
  readonly version: number;
  /**
   * Bit i set when some rule names OPERATIONS[i] (a check of any other operation skips the
   * document); bit OPERATION_COUNT + i when some rule for `any` caller names it.
   */
  readonly flags: number;
  /** A two-word Bloom filter of the table's keys (see `keyHash`): most probes end here. */
  readonly filterA: number;
  readonly filterB: number;
  private readonly table: RuleSlots;
  /** The rules for `any` caller, per operation index. */
  private readonly anyRules: readonly (readonly CompiledRule[] | null)[];
  readonly source: PolicyDocument;
  readonly pattern: string;
  readonly mode: PolicyMode;
  /** Null for an exact model name. */
  readonly glob: Glob | null;
  readonly rules: readonly CompiledRule[];
  /** `[this]`, made once: the applicable set of a model that only this document matches. */
  readonly alone: readonly CompiledDocument[];

  constructor(source: PolicyDocument, version: number) {
    const rules = source.rules.map((rule) => new CompiledRule(rule, this));
    const named = new Map<number, CompiledRule[]>();
    const any: CompiledRule[][] = OPERATIONS.map(() => []);
    let flags = 0;
    let filterA = 0;
    let filterB = 0;
    for (const rule of rules) {
      const { type, value } = rule.source.principal;
      const principal = type === 'any' ? null : principalHash(PRINCIPAL_KINDS[type], value!);
      for (const operation of rule.source.operations) {
        const operationIndex = OPERATIONS.indexOf(operation);
        flags |= 1 << operationIndex;
        if (principal === null) {
          flags |= 1 << (OPERATION_COUNT + operationIndex);
          any[operationIndex]!.push(rule);
          continue;
        }
        const key = ruleKey(principal, operationIndex);
        const hash = keyHash(key);
        filterA |= filterBitA(hash);
        filterB |= filterBitB(hash);
        const list = named.get(key);
        if (list === undefined) named.set(key, [rule]);
        else list.push(rule);
      }
    }
    this.version = version;
    this.flags = flags;
    this.filterA = filterA;
    this.filterB = filterB;
    this.table = buildRuleSlots(named);
    // `slice()`: a pushed-to array keeps spare capacity.
    this.anyRules = any.map((list) => (list.length === 0 ? null : list.slice()));
    this.source = source;
    this.pattern = source.model;
    this.mode = source.mode;
    this.glob = compileGlob(source.model);
    this.rules = rules;
    this.alone = [this];
  }

  /** Bit i set when some rule names OPERATIONS[i]: a check of any other operation skips the document. */
  get operationMask(): number {
    return this.flags & ((1 << OPERATION_COUNT) - 1);
  }

  /** The rules of `operationIndex` for any caller, or null. */
  anyRulesFor(operationIndex: number): readonly CompiledRule[] | null {
    return this.anyRules[operationIndex]!;
  }

  /**
   * The rules under a table key (`ruleKey`) whose hash is `hash` (`keyHash`), or undefined;
   * the key filter answers most misses without reading the table. The rules may name another
   * principal of the same hash: `CompiledRule.names` tells.
   */
  rulesForKey(key: number, hash: number): RuleEntry | undefined {
    if ((this.filterA & filterBitA(hash)) === 0 || (this.filterB & filterBitB(hash)) === 0) return undefined;
    return findRules(this.table, key);
  }
}
