// The server's validation issues (JSON paths such as `rules[1].conditions.ip_range[0]`)
// sorted to the form field that shows them. Anything the form cannot place is shown at the
// document level, so no issue is ever dropped.
import type { ValidationIssue } from '../api/api-error';

export type RuleField =
  | 'rule'
  | 'id'
  | 'effect'
  | 'principalType'
  | 'principalValue'
  | 'operations'
  | 'ipRanges'
  | 'rateLimit'
  | 'validFrom'
  | 'validUntil'
  | 'timeWindow'
  | 'conditions';

export interface PlacedIssue {
  readonly message: string;
  /** For list fields: the item's index in the list (ip_range[2] → 2). */
  readonly item: number | null;
  readonly path: string;
}

export interface IssuesByField {
  readonly document: readonly ValidationIssue[];
  readonly rules: ReadonlyMap<number, ReadonlyMap<RuleField, readonly PlacedIssue[]>>;
}

const RULE_PATH = /^rules\[(\d+)\](.*)$/;

function fieldOf(rest: string): { field: RuleField; item: number | null } {
  const item = /^\.(?:operations|conditions\.ip_range)\[(\d+)\]/.exec(rest);
  const index = item ? Number(item[1]) : null;
  if (rest === '') return { field: 'rule', item: null };
  if (rest === '.id') return { field: 'id', item: null };
  if (rest === '.effect') return { field: 'effect', item: null };
  if (rest === '.principal.type') return { field: 'principalType', item: null };
  if (rest.startsWith('.principal')) return { field: 'principalValue', item: null };
  if (rest.startsWith('.operations')) return { field: 'operations', item: index };
  if (rest.startsWith('.conditions.ip_range')) return { field: 'ipRanges', item: index };
  if (rest === '.conditions.rate_limit') return { field: 'rateLimit', item: null };
  if (rest === '.conditions.valid_from') return { field: 'validFrom', item: null };
  if (rest === '.conditions.valid_until') return { field: 'validUntil', item: null };
  if (rest.startsWith('.conditions.time_window')) return { field: 'timeWindow', item: null };
  if (rest.startsWith('.conditions')) return { field: 'conditions', item: null };
  return { field: 'rule', item: null };
}

export function placeIssues(issues: readonly ValidationIssue[]): IssuesByField {
  const document: ValidationIssue[] = [];
  const rules = new Map<number, Map<RuleField, PlacedIssue[]>>();
  for (const issue of issues) {
    const match = RULE_PATH.exec(issue.path);
    if (!match) {
      document.push(issue);
      continue;
    }
    const index = Number(match[1]);
    const { field, item } = fieldOf(match[2]!);
    const byField = rules.get(index) ?? new Map<RuleField, PlacedIssue[]>();
    rules.set(index, byField);
    const list = byField.get(field) ?? [];
    byField.set(field, list);
    // time_window sub-fields keep their name: "days: …", "end: …".
    const sub = field === 'timeWindow' ? /\.time_window\.(\w+)/.exec(match[2]!)?.[1] : undefined;
    list.push({ message: sub ? `${sub}: ${issue.message}` : issue.message, item, path: issue.path });
  }
  return { document, rules };
}

export function fieldMessages(
  placed: IssuesByField,
  rule: number,
  field: RuleField,
  describeItem: (item: number) => string = (item) => `item ${item + 1}`,
): string | null {
  const list = placed.rules.get(rule)?.get(field);
  if (!list || list.length === 0) return null;
  return list.map((i) => (i.item === null ? i.message : `${describeItem(i.item)}: ${i.message}`)).join('; ');
}
