import { describe, expect, it } from 'vitest';
import { check, InMemorySlidingWindowLimiter, type CheckRequest } from '@modelgate/acl';
import { createEnvelope } from '@modelgate/messaging';
import { PolicyStore } from './policy-store';

const ACTOR = { id: 'admin@company.com', type: 'user' };
const T = '2026-01-15T10:00:00Z';
const doc = (model: string, ruleId: string, role = 'researcher') => ({
  model,
  mode: 'enforce' as const,
  rules: [{ id: ruleId, effect: 'allow', principal: { type: 'role', value: role }, operations: ['infer'] }],
});
const state = (model: string, version: number, enforce: unknown, shadow: unknown = null) => ({
  model,
  version,
  enforce,
  shadow,
  updated_at: T,
});
const event = (model: string, sequence: number, type: string, data: Record<string, unknown>, schema = 1) =>
  createEnvelope({ type, schema, stream: `acl:${model}`, sequence, actor: ACTOR, data });

function decide(store: PolicyStore, model: string, roles = ['researcher']) {
  const request = {
    principal: { id: 'dana@company.com', type: 'user', roles },
    model,
    operation: 'infer',
    context: { time: T },
  } as CheckRequest;
  return check(store.index, request, new InMemorySlidingWindowLimiter());
}

describe('PolicyStore', () => {
  it('loads state records and answers with their version', () => {
    const store = new PolicyStore();
    expect(store.applyState('m', state('m', 3, doc('m', 'r1')))).toEqual({
      kind: 'applied',
      pattern: 'm',
      version: 3,
    });
    expect(decide(store, 'm')).toMatchObject({ allow: true, ruleId: 'r1', policyVersion: 3 });
  });

  it('skips duplicate and stale records and events', () => {
    const store = new PolicyStore();
    store.applyState('m', state('m', 3, doc('m', 'r1')));
    expect(store.applyState('m', state('m', 2, doc('m', 'old'))).kind).toBe('duplicate');
    expect(store.applyState('m', state('m', 3, doc('m', 'same'))).kind).toBe('duplicate');
    expect(
      store.applyEvent(event('m', 3, 'acl.rules_replaced', { mode: 'enforce', document: doc('m', 'again') }))
        .kind,
    ).toBe('duplicate');
    expect(decide(store, 'm')).toMatchObject({ ruleId: 'r1', policyVersion: 3 });
  });

  it('applies each event type in sequence', () => {
    const store = new PolicyStore();
    const apply = (seq: number, type: string, data: Record<string, unknown>) =>
      expect(store.applyEvent(event('m', seq, type, data)).kind).toBe('applied');
    apply(1, 'acl.rules_replaced', { mode: 'enforce', document: doc('m', 'r1') });
    expect(decide(store, 'm')).toMatchObject({ allow: true, ruleId: 'r1', policyVersion: 1 });
    apply(2, 'acl.rule_added', {
      mode: 'enforce',
      rule: {
        id: 'deny-bob',
        effect: 'deny',
        principal: { type: 'user', value: 'bob@company.com' },
        operations: ['infer'],
      },
    });
    expect(store.index.get('m')?.document.rules.map((r) => r.id)).toEqual(['r1', 'deny-bob']);
    apply(3, 'acl.rule_removed', { mode: 'enforce', rule_id: 'r1' });
    expect(decide(store, 'm')).toMatchObject({ allow: false, reason: 'no_matching_rule', policyVersion: 3 });
    apply(4, 'acl.rules_replaced', { mode: 'shadow', document: { ...doc('m', 'cand'), mode: 'shadow' } });
    expect(decide(store, 'm')).toMatchObject({ allow: false, shadow: { allow: true, ruleId: 'cand' } });
    apply(5, 'acl.promoted', { document: doc('m', 'cand') });
    expect(decide(store, 'm')).toMatchObject({ allow: true, ruleId: 'cand', policyVersion: 5, shadow: null });
    apply(6, 'acl.mode_changed', { from: 'enforce', to: 'shadow' });
    expect(decide(store, 'm')).toMatchObject({ allow: false, shadow: { allow: true, ruleId: 'cand' } });
    apply(7, 'acl.rolled_back', { to_version: 1, enforce: doc('m', 'r1'), shadow: null });
    expect(decide(store, 'm')).toMatchObject({ allow: true, ruleId: 'r1', policyVersion: 7 });
    apply(8, 'acl.rules_replaced', { mode: 'shadow', document: { ...doc('m', 'cand'), mode: 'shadow' } });
    expect(decide(store, 'm')).toMatchObject({ allow: true, ruleId: 'r1', shadow: { ruleId: 'cand' } });
    apply(9, 'acl.shadow_discarded', {});
    expect(decide(store, 'm')).toMatchObject({ allow: true, ruleId: 'r1', policyVersion: 9, shadow: null });
    apply(10, 'acl.deleted', {});
    expect(decide(store, 'm')).toMatchObject({ allow: false, reason: 'no_matching_rule', policyVersion: 0 });
    expect(store.version('m')).toBe(10);
  });

  it('on a gap keeps the last good documents until the state topic catches the pattern up', () => {
    const store = new PolicyStore();
    store.applyState('m', state('m', 1, doc('m', 'r1')));
    expect(
      store.applyEvent(event('m', 3, 'acl.rules_replaced', { mode: 'enforce', document: doc('m', 'r3') })),
    ).toEqual({ kind: 'gap', pattern: 'm', have: 1, got: 3 });
    expect(store.awaitingReload).toBe(1);
    expect(decide(store, 'm')).toMatchObject({ ruleId: 'r1', policyVersion: 1 });
    store.applyState('m', state('m', 2, doc('m', 'r2')));
    expect(store.awaitingReload).toBe(1);
    store.applyState('m', state('m', 3, doc('m', 'r3')));
    expect(store.awaitingReload).toBe(0);
    expect(decide(store, 'm')).toMatchObject({ ruleId: 'r3', policyVersion: 3 });
  });

  it.each([
    ['an unknown event type', event('m', 2, 'acl.exploded', {})],
    [
      'an unknown schema version',
      event('m', 2, 'acl.rules_replaced', { mode: 'enforce', document: doc('m', 'x') }, 2),
    ],
    ['data of the wrong shape', event('m', 2, 'acl.rules_replaced', { mode: 'sideways' })],
    [
      'a document the acl parser rejects',
      event('m', 2, 'acl.rules_replaced', {
        mode: 'enforce',
        document: {
          model: 'm',
          mode: 'enforce',
          rules: [{ principal: { type: 'role', value: 'x' }, operations: ['fly'] }],
        },
      }),
    ],
    [
      'a document for another model',
      event('m', 2, 'acl.rules_replaced', { mode: 'enforce', document: doc('other', 'x') }),
    ],
    ['a stream that is not an acl stream', { ...event('m', 2, 'acl.deleted', {}), stream: 'principal:m' }],
  ])('rejects %s and keeps the last good policy', (_name, bad) => {
    const store = new PolicyStore();
    store.applyState('m', state('m', 1, doc('m', 'r1')));
    expect(store.applyEvent(bad).kind).toBe('invalid');
    expect(store.version('m')).toBe(1);
    expect(decide(store, 'm')).toMatchObject({ allow: true, ruleId: 'r1', policyVersion: 1 });
  });

  it('rejects malformed state records', () => {
    const store = new PolicyStore();
    expect(store.applyState('m', { model: 'm' }).kind).toBe('invalid');
    expect(store.applyState('m', state('other', 1, doc('other', 'x'))).kind).toBe('invalid');
    expect(
      store.applyState(
        'm',
        state('m', 1, { model: 'm', mode: 'enforce', rules: [{ operations: ['infer'] }] }),
      ).kind,
    ).toBe('invalid');
    expect(store.patternCount).toBe(0);
  });

  it('removes a pattern on a tombstone, unless the tombstone is older than what it has', () => {
    const store = new PolicyStore();
    store.applyState('m', state('m', 4, doc('m', 'r1')));
    expect(store.applyState('m', null, 3).kind).toBe('duplicate');
    expect(decide(store, 'm').allow).toBe(true);
    expect(store.applyState('m', null, 5).kind).toBe('applied');
    expect(decide(store, 'm')).toMatchObject({ allow: false, reason: 'no_matching_rule' });
    expect(store.version('m')).toBe(5);
  });

  it('serves glob documents and keeps shadow and enforce apart', () => {
    const store = new PolicyStore();
    store.applyState(
      'qwen3-*',
      state('qwen3-*', 2, doc('qwen3-*', 'all-qwen'), {
        ...doc('qwen3-*', 'cand', 'partner'),
        mode: 'shadow',
      }),
    );
    expect(decide(store, 'qwen3-7b-chat')).toMatchObject({
      allow: true,
      ruleId: 'all-qwen',
      shadow: { allow: false },
    });
    expect(decide(store, 'qwen3-7b-chat', ['partner'])).toMatchObject({
      allow: false,
      shadow: { allow: true, ruleId: 'cand' },
    });
  });
});
