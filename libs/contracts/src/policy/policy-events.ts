import { z } from 'zod';

/**
 * Wire types of the policy service's events (topic `modelgate.policy.events.v1`, in the
 * common envelope) and of its compacted state topic (`modelgate.policy.state.v1`).
 * A published schema never changes: a new version goes beside it (`...V2`).
 */
export const POLICY_EVENT_TYPES = {
  rulesReplaced: 'acl.rules_replaced',
  ruleAdded: 'acl.rule_added',
  ruleRemoved: 'acl.rule_removed',
  modeChanged: 'acl.mode_changed',
  promoted: 'acl.promoted',
  shadowDiscarded: 'acl.shadow_discarded',
  rolledBack: 'acl.rolled_back',
  deleted: 'acl.deleted',
} as const;

export type PolicyEventType = (typeof POLICY_EVENT_TYPES)[keyof typeof POLICY_EVENT_TYPES];

/** The stream of one model pattern's documents. */
export function policyStreamId(pattern: string): string {
  return `acl:${pattern}`;
}

/** `enforce`: the document decisions follow; `shadow`: the candidate evaluated beside it. */
export type PolicySlot = 'enforce' | 'shadow';

/** A policy document as ARCHITECTURE.md writes it, normalised by the policy service. */
export interface PolicyDocumentWireV1 {
  readonly model: string;
  readonly mode: PolicySlot;
  readonly rules: Record<string, unknown>[];
}

/** `acl.rules_replaced` v1: the document of `mode`'s slot is now `document`. */
export interface RulesReplacedV1 {
  readonly mode: PolicySlot;
  readonly document: PolicyDocumentWireV1;
}
/** `acl.rule_added` v1: `rule` appended to the rules of `mode`'s document (created if absent). */
export interface RuleAddedV1 {
  readonly mode: PolicySlot;
  readonly rule: Record<string, unknown>;
}
/** `acl.rule_removed` v1: the rule with this id left `mode`'s document. */
export interface RuleRemovedV1 {
  readonly mode: PolicySlot;
  readonly rule_id: string;
}
/** `acl.mode_changed` v1: the enforced document became the shadow candidate (nothing enforced now). */
export interface ModeChangedV1 {
  readonly from: 'enforce';
  readonly to: 'shadow';
}
/** `acl.promoted` v1: the shadow candidate is now the enforced document; no candidate remains. */
export interface PromotedV1 {
  readonly document: PolicyDocumentWireV1;
}
/** `acl.shadow_discarded` v1: the shadow candidate is gone, unpromoted; the enforced document stays. */
export type ShadowDiscardedV1 = Record<string, never>;
/** `acl.rolled_back` v1: both slots are as they were at stream version `to_version`. */
export interface RolledBackV1 {
  readonly to_version: number;
  readonly enforce: PolicyDocumentWireV1 | null;
  readonly shadow: PolicyDocumentWireV1 | null;
}
/** `acl.deleted` v1: the pattern has no documents any more. */
export type DeletedV1 = Record<string, never>;

export interface PolicyEventDataV1 {
  'acl.rules_replaced': RulesReplacedV1;
  'acl.rule_added': RuleAddedV1;
  'acl.rule_removed': RuleRemovedV1;
  'acl.mode_changed': ModeChangedV1;
  'acl.promoted': PromotedV1;
  'acl.shadow_discarded': ShadowDiscardedV1;
  'acl.rolled_back': RolledBackV1;
  'acl.deleted': DeletedV1;
}

const documentWire = z.object({
  model: z.string().min(1),
  mode: z.enum(['enforce', 'shadow']),
  rules: z.array(z.record(z.string(), z.unknown())),
});

/**
 * Value on `modelgate.policy.state.v1` (key = the pattern): everything a cold decision
 * replica needs for one pattern. A deleted pattern is a tombstone (null value).
 */
export const policyStateV1Schema = z.object({
  model: z.string().min(1),
  /** Stream version: the `policy_version` of decisions. */
  version: z.number().int().positive(),
  enforce: documentWire.nullable(),
  shadow: documentWire.nullable(),
  updated_at: z.iso.datetime({ offset: true }),
});

export type PolicyStateV1 = z.infer<typeof policyStateV1Schema>;

/** `event-type` header of state records. */
export const POLICY_STATE_TYPE = 'acl.state';
