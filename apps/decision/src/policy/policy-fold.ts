// The reader's side of the policy stream: what one event does to a pattern's two slots.
// The same rules as the policy service's aggregate (apps/policy acl-events.ts `applyEvent`);
// written against the wire contract because an app cannot import another app.
import { z } from 'zod';
import { POLICY_EVENT_TYPES, type PolicyDocumentWireV1, type PolicySlot } from '@modelgate/contracts';

export interface PatternSlots {
  readonly enforce: PolicyDocumentWireV1 | null;
  readonly shadow: PolicyDocumentWireV1 | null;
}

const slot = z.enum(['enforce', 'shadow']);
const rule = z.record(z.string(), z.unknown());
const documentWire = z.object({ model: z.string().min(1), mode: slot, rules: z.array(rule) });

// v1 data shapes of contracts/policy-events.ts, checked at run time (JSON has no types).
const EVENT_DATA_V1 = {
  [POLICY_EVENT_TYPES.rulesReplaced]: z.object({ mode: slot, document: documentWire }),
  [POLICY_EVENT_TYPES.ruleAdded]: z.object({ mode: slot, rule }),
  [POLICY_EVENT_TYPES.ruleRemoved]: z.object({ mode: slot, rule_id: z.string().min(1) }),
  [POLICY_EVENT_TYPES.modeChanged]: z.object({ from: z.literal('enforce'), to: z.literal('shadow') }),
  [POLICY_EVENT_TYPES.promoted]: z.object({ document: documentWire }),
  [POLICY_EVENT_TYPES.shadowDiscarded]: z.object({}),
  [POLICY_EVENT_TYPES.rolledBack]: z.object({
    to_version: z.number().int().nonnegative(),
    enforce: documentWire.nullable(),
    shadow: documentWire.nullable(),
  }),
  [POLICY_EVENT_TYPES.deleted]: z.object({}),
} as const;

type EventData = {
  [T in keyof typeof EVENT_DATA_V1]: { type: T; data: z.output<(typeof EVENT_DATA_V1)[T]> };
}[keyof typeof EVENT_DATA_V1];

/** A rule's id as the parser names it: its `id`, or its position when it has none. */
function ruleKey(r: Record<string, unknown>, index: number): string {
  return typeof r['id'] === 'string' ? r['id'] : `rules[${index}]`;
}

function withMode(document: PolicyDocumentWireV1, mode: PolicySlot): PolicyDocumentWireV1 {
  return { ...document, mode };
}

function setSlot(state: PatternSlots, mode: PolicySlot, document: PolicyDocumentWireV1 | null): PatternSlots {
  return mode === 'enforce' ? { ...state, enforce: document } : { ...state, shadow: document };
}

/** The slots after the event, or what is wrong with the event (unknown type/schema, bad data). */
export function foldPolicyEvent(
  pattern: string,
  state: PatternSlots,
  type: string,
  schema: number,
  data: unknown,
): PatternSlots | string {
  if (!(type in EVENT_DATA_V1)) return `unknown event type ${JSON.stringify(type)}`;
  if (schema !== 1) return `unsupported schema ${schema} of ${type}`;
  const parsed = EVENT_DATA_V1[type as keyof typeof EVENT_DATA_V1].safeParse(data);
  if (!parsed.success)
    return `data: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
  const event = { type, data: parsed.data } as EventData;
  switch (event.type) {
    case 'acl.rules_replaced':
      return setSlot(state, event.data.mode, withMode(event.data.document, event.data.mode));
    case 'acl.rule_added': {
      const current = event.data.mode === 'enforce' ? state.enforce : state.shadow;
      const base = current ?? { model: pattern, mode: event.data.mode, rules: [] };
      return setSlot(state, event.data.mode, { ...base, rules: [...base.rules, event.data.rule] });
    }
    case 'acl.rule_removed': {
      const current = event.data.mode === 'enforce' ? state.enforce : state.shadow;
      if (current === null) return state;
      const id = event.data.rule_id;
      return setSlot(state, event.data.mode, {
        ...current,
        rules: current.rules.filter((r, i) => ruleKey(r, i) !== id),
      });
    }
    case 'acl.mode_changed':
      return { enforce: null, shadow: state.enforce && withMode(state.enforce, 'shadow') };
    case 'acl.promoted':
      return { enforce: withMode(event.data.document, 'enforce'), shadow: null };
    case 'acl.shadow_discarded':
      return { enforce: state.enforce, shadow: null };
    case 'acl.rolled_back':
      return { enforce: event.data.enforce, shadow: event.data.shadow };
    case 'acl.deleted':
      return { enforce: null, shadow: null };
  }
}
