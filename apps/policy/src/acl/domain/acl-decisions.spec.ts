import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '@modelgate/event-store';
import {
  addRule,
  changeModeToShadow,
  deleteDocuments,
  discardShadow,
  promote,
  removeRule,
  replaceRules,
  rollback,
} from './acl-decisions';
import { diffStates } from './acl-diff';
import { AclError } from './acl-error';
import { applyEvent, foldEvents, upcast, type AclEvent } from './acl-events';
import { emptyState, type AclState } from './acl-state';
import { normaliseDocument } from './policy-document';

const rule = (id: string) => ({
  id,
  principal: { type: 'user', value: `${id}@company.com` },
  operations: ['infer'],
});
const doc = (ids: string[], mode = 'enforce') =>
  normaliseDocument({ model: 'm', mode, rules: ids.map(rule) });
const apply = (state: AclState, events: AclEvent[]) =>
  events.reduce(
    (s, e, i) =>
      applyEvent(s, e, {
        sequence: state.version + i + 1,
        occurredAt: '2026-01-01T00:00:00.000Z',
        actor: null,
      }),
    state,
  );
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AclError ? error.code : 'other';
  }
  return 'none';
};

describe('ACL decisions', () => {
  const start = apply(emptyState('m'), replaceRules(emptyState('m'), doc(['a']), false));

  it('replaces a slot, and a no-op replacement has no event', () => {
    expect(start).toMatchObject({ version: 1, enforce: { rules: [{ id: 'a' }] }, shadow: null });
    expect(replaceRules(start, doc(['a']), false)).toEqual([]);
    expect(code(() => replaceRules(start, doc([]), false))).toBe('empty_rules_unconfirmed');
    expect(apply(start, replaceRules(start, doc([]), true)).enforce?.rules).toEqual([]);
  });

  it('adds and removes single rules, refusing duplicates, unknown ids and invalid rules', () => {
    const added = apply(start, addRule(start, 'enforce', rule('b')));
    expect(added.enforce?.rules.map((r) => r['id'])).toEqual(['a', 'b']);
    expect(code(() => addRule(added, 'enforce', rule('b')))).toBe('rule_exists');
    expect(code(() => addRule(added, 'enforce', { principal: { type: 'any' }, operations: ['infer'] }))).toBe(
      'invalid_request',
    );
    expect(code(() => addRule(added, 'enforce', { ...rule('c'), operations: ['fly'] }))).toBe(
      'invalid_policy',
    );
    expect(apply(added, removeRule(added, 'enforce', 'a')).enforce?.rules.map((r) => r['id'])).toEqual(['b']);
    expect(code(() => removeRule(added, 'shadow', 'a'))).toBe('rule_not_found');
  });

  it('keeps a shadow candidate apart, promotes it, and moves the enforced document to shadow', () => {
    const withShadow = apply(start, replaceRules(start, doc(['s'], 'shadow'), false));
    expect(withShadow).toMatchObject({
      enforce: { rules: [{ id: 'a' }] },
      shadow: { mode: 'shadow', rules: [{ id: 's' }] },
    });
    expect(code(() => changeModeToShadow(withShadow))).toBe('write_conflict');
    const promoted = apply(withShadow, promote(withShadow));
    expect(promoted).toMatchObject({ enforce: { mode: 'enforce', rules: [{ id: 's' }] }, shadow: null });
    expect(code(() => promote(promoted))).toBe('no_shadow');
    const demoted = apply(promoted, changeModeToShadow(promoted));
    expect(demoted).toMatchObject({ enforce: null, shadow: { mode: 'shadow', rules: [{ id: 's' }] } });
    expect(code(() => changeModeToShadow(demoted))).toBe('no_enforced_document');
  });

  it('discards a shadow candidate unpromoted, leaving the enforced document as it was', () => {
    const withShadow = apply(start, replaceRules(start, doc(['s'], 'shadow'), false));
    const events = discardShadow(withShadow);
    expect(events).toEqual([{ type: 'acl.shadow_discarded', data: {} }]);
    const discarded = apply(withShadow, events);
    expect(discarded).toMatchObject({
      version: withShadow.version + 1,
      enforce: start.enforce,
      shadow: null,
    });
    expect(code(() => discardShadow(discarded))).toBe('no_shadow');
    expect(diffStates(withShadow, discarded)).toMatchObject({ shadow: { change: 'deleted' } });
  });

  it('rolls back to an earlier version as a new event, and refuses versions outside the history', async () => {
    const second = apply(start, replaceRules(start, doc(['b']), false));
    const events = await rollback(second, 1, () => Promise.resolve(start));
    expect(events).toEqual([
      { type: 'acl.rolled_back', data: { to_version: 1, enforce: start.enforce, shadow: null } },
    ]);
    expect(apply(second, events)).toMatchObject({ version: 3, enforce: start.enforce });
    await expect(rollback(second, 2, () => Promise.resolve(second))).rejects.toMatchObject({
      code: 'unknown_version',
    });
    await expect(rollback(second, 0, () => Promise.resolve(start))).rejects.toMatchObject({
      code: 'unknown_version',
    });
  });

  it('deletes both slots, once', () => {
    const deleted = apply(start, deleteDocuments(start));
    expect(deleted).toMatchObject({ version: 2, enforce: null, shadow: null });
    expect(code(() => deleteDocuments(deleted))).toBe('not_found');
  });

  it('folds stored events, refusing unknown types and schema versions', () => {
    const stored = (
      type: string,
      sequence: number,
      data: Record<string, unknown>,
      schemaVersion = 1,
    ): StoredEvent => ({
      globalPosition: String(sequence),
      id: `e${sequence}`,
      streamId: 'acl:m',
      sequence,
      type,
      schemaVersion,
      data,
      metadata: { actor: { id: 'u', type: 'user', ip: '10.0.0.1' } },
      occurredAt: new Date(0),
    });
    const state = foldEvents(emptyState('m'), [
      stored('acl.rules_replaced', 1, { mode: 'enforce', document: doc(['a']) }),
      stored('acl.deleted', 2, {}),
    ]);
    expect(state).toMatchObject({ version: 2, enforce: null, updatedBy: { id: 'u', ip: '10.0.0.1' } });
    expect(() => upcast(stored('acl.exploded', 1, {}))).toThrow(/unknown ACL event/);
    expect(() => upcast(stored('acl.deleted', 1, {}, 2))).toThrow(/v2/);
  });
});

describe('diff', () => {
  it('lists added, removed and changed rules per slot, matched by id', () => {
    const before = { ...emptyState('m'), enforce: doc(['a', 'b']) };
    const after = {
      ...emptyState('m'),
      enforce: normaliseDocument({ model: 'm', rules: [{ ...rule('a'), effect: 'deny' }, rule('c')] }),
      shadow: doc(['s'], 'shadow'),
    };
    const diff = diffStates(before, after);
    expect(diff.enforce).toMatchObject({
      change: 'changed',
      added: [{ id: 'c' }],
      removed: [{ id: 'b' }],
      changed: [{ id: 'a', before: { effect: 'allow' }, after: { effect: 'deny' } }],
    });
    expect(diff.shadow).toMatchObject({ change: 'created', added: [{ id: 's' }] });
    expect(diffStates(after, after)).toEqual({});
  });
});
