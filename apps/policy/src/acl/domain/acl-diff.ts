import type { PolicySlot } from '@modelgate/contracts';
import { ruleKey, type AclState, type StoredDocument, type StoredRule } from './acl-state';
import { sameJson } from './canonical-json';

/** How one slot's document changed, rule by rule (rules matched by id, or position when they have none). */
export interface SlotDiff {
  /** `created`: no document before; `deleted`: none after; `changed`: rules or mode differ. */
  readonly change: 'created' | 'deleted' | 'changed';
  readonly added: readonly StoredRule[];
  readonly removed: readonly StoredRule[];
  readonly changed: readonly {
    readonly id: string;
    readonly before: StoredRule;
    readonly after: StoredRule;
  }[];
}

/** What an event changed: only the slots that differ appear. */
export type AclDiff = Partial<Record<PolicySlot, SlotDiff>>;

function keyed(document: StoredDocument | null): Map<string, StoredRule> {
  return new Map((document?.rules ?? []).map((rule, i) => [ruleKey(rule, i), rule]));
}

export function diffSlot(before: StoredDocument | null, after: StoredDocument | null): SlotDiff | undefined {
  if (sameJson(before, after)) return undefined;
  const old = keyed(before);
  const now = keyed(after);
  return {
    change: before === null ? 'created' : after === null ? 'deleted' : 'changed',
    added: [...now].filter(([id]) => !old.has(id)).map(([, r]) => r),
    removed: [...old].filter(([id]) => !now.has(id)).map(([, r]) => r),
    changed: [...now]
      .filter(([id, r]) => old.has(id) && !sameJson(old.get(id), r))
      .map(([id, after]) => ({ id, before: old.get(id)!, after })),
  };
}

export function diffStates(before: AclState, after: AclState): AclDiff {
  const diff: { enforce?: SlotDiff; shadow?: SlotDiff } = {};
  const enforce = diffSlot(before.enforce, after.enforce);
  const shadow = diffSlot(before.shadow, after.shadow);
  if (enforce) diff.enforce = enforce;
  if (shadow) diff.shadow = shadow;
  return diff;
}
