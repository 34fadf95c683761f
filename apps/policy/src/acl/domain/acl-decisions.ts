// What each command means for one pattern's documents: state in, events out (or an
// AclError). Pure, so every rule of the ACL module is unit-tested without a database.
import type { PolicySlot } from '@modelgate/contracts';
import { AclError } from './acl-error';
import {
  Deleted,
  ModeChanged,
  Promoted,
  RolledBack,
  RuleAdded,
  RuleRemoved,
  RulesReplaced,
  ShadowDiscarded,
  type AclEvent,
} from './acl-events';
import { exists, ruleKey, slotOf, type AclState, type StoredDocument, type StoredRule } from './acl-state';
import { sameJson } from './canonical-json';
import { normaliseDocument } from './policy-document';

/** Replaces the document of its mode's slot; an identical document changes nothing (no event). */
export function replaceRules(state: AclState, document: StoredDocument, confirmEmpty: boolean): AclEvent[] {
  if (document.rules.length === 0 && !confirmEmpty) {
    throw new AclError(
      'empty_rules_unconfirmed',
      'the document has no rules, which denies everyone; repeat with confirm_empty=true to do this',
    );
  }
  const current = slotOf(state, document.mode);
  if (current !== null && sameJson(current, document)) return [];
  return [RulesReplaced(document.mode, document)];
}

/** Appends one rule to a slot's document (creating it). The whole document must stay valid. */
export function addRule(state: AclState, slot: PolicySlot, rule: Record<string, unknown>): AclEvent[] {
  const id = rule['id'];
  if (typeof id !== 'string') {
    throw new AclError(
      'invalid_request',
      'a rule added on its own needs an "id" (its position is not stable)',
    );
  }
  const current = slotOf(state, slot) ?? { model: state.pattern, mode: slot, rules: [] };
  if (current.rules.some((r, i) => ruleKey(r, i) === id)) {
    throw new AclError('rule_exists', `rule "${id}" already exists; remove it first or replace the document`);
  }
  const candidate = normaliseDocument({ ...current, rules: [...current.rules, rule] });
  return [RuleAdded(slot, candidate.rules.at(-1)!)];
}

export function removeRule(state: AclState, slot: PolicySlot, ruleId: string): AclEvent[] {
  const current = slotOf(state, slot);
  if (current === null || !current.rules.some((r, i) => ruleKey(r, i) === ruleId)) {
    throw new AclError('rule_not_found', `no rule "${ruleId}" in the ${slot} document of ${state.pattern}`);
  }
  return [RuleRemoved(slot, ruleId)];
}

/** Turns the enforced document into the shadow candidate: it stops deciding, and is only compared. */
export function changeModeToShadow(state: AclState): AclEvent[] {
  if (state.enforce === null) {
    throw new AclError('no_enforced_document', `${state.pattern} has no enforced document to move to shadow`);
  }
  if (state.shadow !== null) {
    throw new AclError(
      'write_conflict',
      `${state.pattern} already has a shadow document; promote or replace it first`,
    );
  }
  return [ModeChanged()];
}

export function promote(state: AclState): AclEvent[] {
  if (state.shadow === null)
    throw new AclError('no_shadow', `${state.pattern} has no shadow document to promote`);
  return [Promoted({ ...state.shadow, mode: 'enforce' })];
}

/** Drops the shadow candidate without promoting it; what is enforced does not change. */
export function discardShadow(state: AclState): AclEvent[] {
  if (state.shadow === null)
    throw new AclError('no_shadow', `${state.pattern} has no shadow document to discard`);
  return [ShadowDiscarded()];
}

/** Restores both slots as they were at `target.version`, as a new event: history is never rewritten. */
export async function rollback(
  state: AclState,
  toVersion: number,
  load: () => Promise<AclState>,
): Promise<AclEvent[]> {
  if (!Number.isInteger(toVersion) || toVersion < 1 || toVersion >= state.version) {
    throw new AclError(
      'unknown_version',
      state.version <= 1
        ? `${state.pattern} has no earlier version to roll back to`
        : `can roll back to a version from 1 to ${state.version - 1}, not ${toVersion}`,
    );
  }
  const target = await load();
  if (sameJson([state.enforce, state.shadow], [target.enforce, target.shadow])) return [];
  return [RolledBack(target.version, target)];
}

export function deleteDocuments(state: AclState): AclEvent[] {
  if (!exists(state)) throw new AclError('not_found', `no ACL document for ${state.pattern}`);
  return [Deleted()];
}

export type { StoredRule };
