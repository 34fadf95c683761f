// One document compiled: its rules in one table keyed by (principal number, operation), so
// that a check probes it once per principal the caller has (its id, roles and groups), and a
// list per operation of the rules for `any` caller.
import { compileGlob, type Glob } from '../glob';
import { OPERATIONS, type PolicyDocument, type PolicyMode } from '../policy';
import { CompiledRule } from './compiled-rule';
import { ANY_PRINCIPAL, type PrincipalTable } from './principal-table';
import { buildRuleSlots, findRules, type RuleEntry, type RuleSlots } from './rule-table';

const OPERATION_COUNT = OPERATIONS.length;

/** The table key of a principal number and an operation index (a small integer, not a string). */
function ruleKey(principal: number, operationIndex: number): number {
  return principal * OPERATION_COUNT + operationIndex;
}

export class CompiledDocument {
  readonly pattern: string;
  readonly mode: PolicyMode;
  /** Null for an exact model name. */
  readonly glob: Glob | null;
  readonly rules: readonly CompiledRule[];
  private readonly table: RuleSlots;
  /** The rules for `any` caller, per operation index. */
  private readonly anyRules: readonly (readonly CompiledRule[] | null)[];
  /** Bit i set when some rule names OPERATIONS[i]: a check of any other operation skips the document. */
  readonly operationMask: number;
  /** `[this]`, made once: the applicable set of a model that only this document matches. */
  readonly alone: readonly CompiledDocument[];

  constructor(
    readonly source: PolicyDocument,
    readonly version: number,
    principals: PrincipalTable,
  ) {
    this.pattern = source.model;
    this.mode = source.mode;
    this.glob = compileGlob(source.model);
    this.rules = source.rules.map((rule) => new CompiledRule(rule, this));
    const named = new Map<number, CompiledRule[]>();
    const any: CompiledRule[][] = OPERATIONS.map(() => []);
    let operationMask = 0;
    for (const rule of this.rules) {
      const principal = principals.acquire(rule.source.principal.type, rule.source.principal.value);
      for (const operation of rule.source.operations) {
        const operationIndex = OPERATIONS.indexOf(operation);
        operationMask |= 1 << operationIndex;
        if (principal === ANY_PRINCIPAL) {
          any[operationIndex]!.push(rule);
          continue;
        }
        const key = ruleKey(principal, operationIndex);
        const list = named.get(key);
        if (list === undefined) named.set(key, [rule]);
        else list.push(rule);
      }
    }
    this.table = buildRuleSlots(named);
    // `slice()`: a pushed-to array keeps spare capacity.
    this.anyRules = any.map((list) => (list.length === 0 ? null : list.slice()));
    this.operationMask = operationMask;
    this.alone = [this];
  }

  /** The rules of `operationIndex` for any caller, or null. */
  anyRulesFor(operationIndex: number): readonly CompiledRule[] | null {
    return this.anyRules[operationIndex]!;
  }

  /** The rules naming the principal `principal` for `operationIndex`, or undefined. */
  rulesFor(principal: number, operationIndex: number): RuleEntry | undefined {
    return findRules(this.table, ruleKey(principal, operationIndex));
  }

  /** Gives back the principal numbers this document acquired (when it leaves the index). */
  release(principals: PrincipalTable): void {
    for (const rule of this.source.rules) principals.release(rule.principal.type, rule.principal.value);
  }
}
