// Every policy document of the cluster, as this replica knows it: the acl index the checks
// read, and per pattern the stream version and the wire documents the next event folds onto.
// Pure: the Kafka feed (policy-feed.service.ts) hands it records; nothing here does I/O.
//
// Versions make it idempotent: an event or state record at or below the pattern's version is
// skipped; an event past version + 1 is a gap, and the pattern waits for the state topic
// (which the feed follows for ever, and which carries a record for every version the policy
// service writes) to bring it up to date. Until then the last good documents stay in force.
import { PolicyIndex, formatIssue, parsePolicyDocument, type PolicyDocument } from '@modelgate/acl';
import {
  policyStateV1Schema,
  type EventEnvelope,
  type PolicyDocumentWireV1,
  type PolicySlot,
} from '@modelgate/contracts';
import { foldPolicyEvent, type PatternSlots } from './policy-fold';

export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly pattern: string; readonly version: number }
  | { readonly kind: 'duplicate'; readonly pattern: string; readonly version: number }
  | { readonly kind: 'gap'; readonly pattern: string; readonly have: number; readonly got: number }
  | { readonly kind: 'invalid'; readonly problem: string };

interface PatternState extends PatternSlots {
  readonly version: number;
}

const NO_DOCUMENTS: PatternState = { version: 0, enforce: null, shadow: null };
const STREAM_PREFIX = 'acl:';

export class PolicyStore {
  /** The index checks read. Each update changes it synchronously, between two checks. */
  readonly index = new PolicyIndex();
  private readonly patterns = new Map<string, PatternState>();
  /** Patterns with a gap: the version of the event that found it. */
  private readonly gaps = new Map<string, number>();

  version(pattern: string): number {
    return this.patterns.get(pattern)?.version ?? 0;
  }

  /** Patterns whose events had a gap and that wait for the state topic. */
  get awaitingReload(): number {
    return this.gaps.size;
  }

  get patternCount(): number {
    return this.patterns.size;
  }

  /**
   * A record of the compacted state topic: `value` null is a tombstone (the pattern was
   * deleted at `tombstoneVersion`, from the `policy-version` header, when known).
   */
  applyState(key: string, value: unknown, tombstoneVersion: number | null = null): ApplyOutcome {
    const current = this.patterns.get(key) ?? NO_DOCUMENTS;
    if (value === null) {
      if (tombstoneVersion !== null && tombstoneVersion <= current.version)
        return { kind: 'duplicate', pattern: key, version: current.version };
      return this.replace(key, {
        version: Math.max(tombstoneVersion ?? current.version, current.version),
        enforce: null,
        shadow: null,
      });
    }
    const parsed = policyStateV1Schema.safeParse(value);
    if (!parsed.success)
      return {
        kind: 'invalid',
        problem: `state of ${JSON.stringify(key)}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      };
    const state = parsed.data;
    if (state.model !== key)
      return {
        kind: 'invalid',
        problem: `state keyed ${JSON.stringify(key)} is for model ${JSON.stringify(state.model)}`,
      };
    if (state.version <= current.version)
      return { kind: 'duplicate', pattern: key, version: current.version };
    return this.replace(key, { version: state.version, enforce: state.enforce, shadow: state.shadow });
  }

  /** An event of the policy events topic (already a valid envelope). */
  applyEvent(envelope: EventEnvelope): ApplyOutcome {
    if (!envelope.stream.startsWith(STREAM_PREFIX))
      return { kind: 'invalid', problem: `stream ${JSON.stringify(envelope.stream)} is not an acl stream` };
    const pattern = envelope.stream.slice(STREAM_PREFIX.length);
    const current = this.patterns.get(pattern) ?? NO_DOCUMENTS;
    const sequence = envelope.sequence;
    if (sequence <= current.version) return { kind: 'duplicate', pattern, version: current.version };
    if (sequence > current.version + 1) {
      this.gaps.set(pattern, Math.max(sequence, this.gaps.get(pattern) ?? 0));
      return { kind: 'gap', pattern, have: current.version, got: sequence };
    }
    const next = foldPolicyEvent(pattern, current, envelope.type, envelope.schema, envelope.data);
    if (typeof next === 'string')
      return { kind: 'invalid', problem: `${envelope.type} #${sequence} of ${envelope.stream}: ${next}` };
    return this.replace(pattern, { ...next, version: sequence });
  }

  /** Parses both slots first, then swaps them into the index in one synchronous step. */
  private replace(pattern: string, next: PatternState): ApplyOutcome {
    const enforce = compile(pattern, next.enforce, 'enforce');
    if (typeof enforce === 'string') return { kind: 'invalid', problem: enforce };
    const shadow = compile(pattern, next.shadow, 'shadow');
    if (typeof shadow === 'string') return { kind: 'invalid', problem: shadow };
    if (enforce === null) this.index.remove(pattern, 'enforce');
    else this.index.upsert(enforce, next.version);
    if (shadow === null) this.index.remove(pattern, 'shadow');
    else this.index.upsert(shadow, next.version);
    this.patterns.set(pattern, next);
    const gap = this.gaps.get(pattern);
    if (gap !== undefined && next.version >= gap) this.gaps.delete(pattern);
    return { kind: 'applied', pattern, version: next.version };
  }
}

function compile(
  pattern: string,
  wire: PolicyDocumentWireV1 | null,
  mode: PolicySlot,
): PolicyDocument | string | null {
  if (wire === null) return null;
  if (wire.model !== pattern)
    return `${mode} document of ${JSON.stringify(pattern)} is for model ${JSON.stringify(wire.model)}`;
  const parsed = parsePolicyDocument({ ...wire, mode });
  if (!parsed.ok)
    return `${mode} document of ${JSON.stringify(pattern)}: ${parsed.issues.map(formatIssue).join('; ')}`;
  return parsed.value;
}
