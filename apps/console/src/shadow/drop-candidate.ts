// How to drop a shadow candidate with the policy API as it is (it has no "drop" route):
// roll back to the version before the candidate was created, which is exact only when the
// enforced rules have not changed since; or delete the document when it holds nothing else.
import type { HistoryEntry } from '../api/acl-api';

export type DropPlan =
  | { readonly kind: 'rollback'; readonly toVersion: number }
  | { readonly kind: 'delete' }
  | { readonly kind: 'impossible'; readonly why: string };

/** `history` newest first, as the API answers it; `hasEnforced`: the current enforced document exists. */
export function planDrop(history: readonly HistoryEntry[], hasEnforced: boolean): DropPlan {
  const created = history.findIndex((e) => e.diff.shadow?.change === 'created');
  if (created < 0)
    return { kind: 'impossible', why: 'the history does not show when the candidate was created' };
  const since = history.slice(0, created + 1);
  if (since.some((e) => e.diff.enforce !== undefined))
    return {
      kind: 'impossible',
      why: 'the enforced rules changed after the candidate was created; promote it, or edit the candidate instead',
    };
  const before = history[created]!.version - 1;
  if (before >= 1) return { kind: 'rollback', toVersion: before };
  return hasEnforced ? { kind: 'impossible', why: 'no earlier version to return to' } : { kind: 'delete' };
}
