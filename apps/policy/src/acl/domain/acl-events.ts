import {
  POLICY_EVENT_TYPES,
  type PolicyEventDataV1,
  type PolicyEventType,
  type PolicySlot,
} from '@modelgate/contracts';
import type { StoredEvent } from '@modelgate/event-store';
import { type AclState, ruleKey, type StoredDocument, type StoredRule } from './acl-state';

/** Every event type has schema version 1 so far; a v2 goes beside it with an upcaster in `upcast`. */
export const ACL_EVENT_SCHEMA = 1;

/** An ACL event before it is stored: its wire name and its v1 data. */
export type AclEvent = {
  [T in PolicyEventType]: { readonly type: T; readonly data: PolicyEventDataV1[T] };
}[PolicyEventType];

// Past-tense constructors, one per event: the only way domain code makes events.
export const RulesReplaced = (mode: PolicySlot, document: StoredDocument): AclEvent => ({
  type: POLICY_EVENT_TYPES.rulesReplaced,
  data: { mode, document },
});
export const RuleAdded = (mode: PolicySlot, rule: StoredRule): AclEvent => ({
  type: POLICY_EVENT_TYPES.ruleAdded,
  data: { mode, rule },
});
export const RuleRemoved = (mode: PolicySlot, ruleId: string): AclEvent => ({
  type: POLICY_EVENT_TYPES.ruleRemoved,
  data: { mode, rule_id: ruleId },
});
export const ModeChanged = (): AclEvent => ({
  type: POLICY_EVENT_TYPES.modeChanged,
  data: { from: 'enforce', to: 'shadow' },
});
export const Promoted = (document: StoredDocument): AclEvent => ({
  type: POLICY_EVENT_TYPES.promoted,
  data: { document },
});
export const ShadowDiscarded = (): AclEvent => ({ type: POLICY_EVENT_TYPES.shadowDiscarded, data: {} });
export const RolledBack = (toVersion: number, target: AclState): AclEvent => ({
  type: POLICY_EVENT_TYPES.rolledBack,
  data: { to_version: toVersion, enforce: target.enforce, shadow: target.shadow },
});
export const Deleted = (): AclEvent => ({ type: POLICY_EVENT_TYPES.deleted, data: {} });

const KNOWN = new Set<string>(Object.values(POLICY_EVENT_TYPES));

/** A stored event as the current schema of its type (the place where v1 → v2 upcasting goes). */
export function upcast(event: Pick<StoredEvent, 'type' | 'schemaVersion' | 'data'>): AclEvent {
  if (!KNOWN.has(event.type) || event.schemaVersion !== ACL_EVENT_SCHEMA) {
    throw new Error(`unknown ACL event ${event.type} v${event.schemaVersion}`);
  }
  return { type: event.type, data: event.data } as AclEvent;
}

function withMode(document: StoredDocument, mode: PolicySlot): StoredDocument {
  return { ...document, mode };
}

function setSlot(state: AclState, slot: PolicySlot, document: StoredDocument | null): AclState {
  return slot === 'enforce' ? { ...state, enforce: document } : { ...state, shadow: document };
}

/** The aggregate's state after `event`: the only way state changes. */
export function applyEvent(
  state: AclState,
  event: AclEvent,
  meta: { sequence: number; occurredAt: string; actor: AclState['updatedBy'] },
): AclState {
  const next = ((): AclState => {
    switch (event.type) {
      case 'acl.rules_replaced':
        return setSlot(state, event.data.mode, withMode(event.data.document, event.data.mode));
      case 'acl.rule_added': {
        const current = event.data.mode === 'enforce' ? state.enforce : state.shadow;
        const base = current ?? { model: state.pattern, mode: event.data.mode, rules: [] };
        return setSlot(state, event.data.mode, { ...base, rules: [...base.rules, event.data.rule] });
      }
      case 'acl.rule_removed': {
        const current = event.data.mode === 'enforce' ? state.enforce : state.shadow;
        if (current === null) return state;
        const ruleId = event.data.rule_id;
        return setSlot(state, event.data.mode, {
          ...current,
          rules: current.rules.filter((rule, i) => ruleKey(rule, i) !== ruleId),
        });
      }
      case 'acl.mode_changed':
        return { ...state, enforce: null, shadow: state.enforce && withMode(state.enforce, 'shadow') };
      case 'acl.promoted':
        return { ...state, enforce: withMode(event.data.document, 'enforce'), shadow: null };
      case 'acl.shadow_discarded':
        return { ...state, shadow: null };
      case 'acl.rolled_back':
        return { ...state, enforce: event.data.enforce, shadow: event.data.shadow };
      case 'acl.deleted':
        return { ...state, enforce: null, shadow: null };
    }
  })();
  return { ...next, version: meta.sequence, updatedAt: meta.occurredAt, updatedBy: meta.actor };
}

/** Folds stored events (in sequence order) onto `state`. */
export function foldEvents(state: AclState, events: readonly StoredEvent[]): AclState {
  return events.reduce(
    (s, e) =>
      applyEvent(s, upcast(e), {
        sequence: e.sequence,
        occurredAt: e.occurredAt.toISOString(),
        actor: e.metadata.actor
          ? { id: e.metadata.actor.id, type: e.metadata.actor.type, ip: e.metadata.actor.ip ?? null }
          : null,
      }),
    state,
  );
}
