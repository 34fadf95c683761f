import type { Actor, PolicyDocumentWireV1, PolicySlot } from '@modelgate/contracts';

/** A policy document as stored: the normalised JSON that `formatPolicyDocument` writes. */
export type StoredDocument = PolicyDocumentWireV1;
export type StoredRule = Record<string, unknown>;

/** One model pattern's documents: the aggregate's state, folded from its stream. */
export interface AclState {
  readonly pattern: string;
  /** Stream version: the ETag and the decisions' `policy_version`. 0 = no events. */
  readonly version: number;
  readonly enforce: StoredDocument | null;
  readonly shadow: StoredDocument | null;
  readonly updatedAt: string | null;
  readonly updatedBy: Actor | null;
}

export function emptyState(pattern: string): AclState {
  return { pattern, version: 0, enforce: null, shadow: null, updatedAt: null, updatedBy: null };
}

/** A pattern exists while one of its slots holds a document. */
export function exists(state: AclState): boolean {
  return state.enforce !== null || state.shadow !== null;
}

export function slotOf(state: AclState, slot: PolicySlot): StoredDocument | null {
  return slot === 'enforce' ? state.enforce : state.shadow;
}

/** A rule's id as the parser names it: its `id`, or its position when it has none. */
export function ruleKey(rule: StoredRule, index: number): string {
  return typeof rule['id'] === 'string' ? rule['id'] : `rules[${index}]`;
}
