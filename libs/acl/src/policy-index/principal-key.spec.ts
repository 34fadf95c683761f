import { describe, expect, it } from 'vitest';
import { check } from '../evaluate/check';
import { visibleModels } from '../evaluate/visible-models';
import type { CheckRequest, Principal } from '../evaluate/request';
import { parsePolicyDocument } from '../parse/parse-document';
import { InMemorySlidingWindowLimiter } from '../sliding-window-limiter';
import { CallerKeys, PRINCIPAL_KINDS, principalHash, type PrincipalKind } from './principal-key';
import { PolicyIndex } from './policy-index';

/** Two names of `kind` with the same hash, found by trying `prefix0`, `prefix1`, ... */
function collidingNames(kind: PrincipalKind, prefix: string): [string, string] {
  const seen = new Map<number, string>();
  for (let i = 0; ; i++) {
    const name = `${prefix}${i}`;
    const hash = principalHash(kind, name);
    const earlier = seen.get(hash);
    if (earlier !== undefined) return [earlier, name];
    seen.set(hash, name);
  }
}

function indexOf(rules: unknown[]): PolicyIndex {
  const parsed = parsePolicyDocument({ model: 'm', rules });
  if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
  return PolicyIndex.from([{ document: parsed.value, version: 1 }]);
}

const ask = (index: PolicyIndex, principal: Principal): ReturnType<typeof check> => {
  const request: CheckRequest = { principal, model: 'm', operation: 'infer', context: { time: 0 } };
  return check(index, request, new InMemorySlidingWindowLimiter());
};

describe('principalHash', () => {
  it('is a small positive integer for any text, empty, long or not well-formed', () => {
    const texts = ['', 'a', 'x'.repeat(100_000), '\ud800', '\u0000', 'Ä', '😀', 'alice@company.com'];
    for (const kind of Object.values(PRINCIPAL_KINDS))
      for (const text of texts) {
        const hash = principalHash(kind, text);
        expect(Number.isInteger(hash)).toBe(true);
        expect(hash).toBeGreaterThanOrEqual(1);
        expect(hash).toBeLessThan(2 ** 27);
      }
  });

  it('tells apart names that differ by a trailing NUL or by the order of two units', () => {
    const user = PRINCIPAL_KINDS.user;
    expect(principalHash(user, 'a')).not.toBe(principalHash(user, 'a\u0000'));
    expect(principalHash(user, 'ab')).not.toBe(principalHash(user, 'ba'));
    expect(principalHash(user, '')).not.toBe(principalHash(user, '\u0000'));
  });

  it('depends on the kind: the same name as each kind gives five numbers', () => {
    const hashes = new Set(Object.values(PRINCIPAL_KINDS).map((kind) => principalHash(kind, 'finance')));
    expect(hashes.size).toBe(5);
  });
});

describe('names that share a hash', () => {
  it('a rule for one user never matches another user of the same hash', () => {
    const [a, b] = collidingNames(PRINCIPAL_KINDS.user, 'user-');
    expect(principalHash(PRINCIPAL_KINDS.user, a)).toBe(principalHash(PRINCIPAL_KINDS.user, b));
    const index = indexOf([{ id: 'to-a', principal: { type: 'user', value: a }, operations: ['infer'] }]);
    expect(ask(index, { id: a, type: 'user' })).toMatchObject({ allow: true, ruleId: 'to-a' });
    expect(ask(index, { id: b, type: 'user' })).toMatchObject({ allow: false, reason: 'no_matching_rule' });
    expect(
      visibleModels(index, {
        principal: { id: b, type: 'user' },
        operation: 'infer',
        context: { time: 0 },
        models: ['m'],
      }),
    ).toEqual([]);
  });

  it('a deny for one role does not refuse the holder of another role of the same hash', () => {
    const [a, b] = collidingNames(PRINCIPAL_KINDS.role, 'team-');
    const index = indexOf([
      { id: 'deny-a', effect: 'deny', principal: { type: 'role', value: a }, operations: ['infer'] },
      { id: 'allow-b', principal: { type: 'role', value: b }, operations: ['infer'] },
    ]);
    expect(ask(index, { id: 'u', type: 'user', roles: [b] })).toMatchObject({
      allow: true,
      ruleId: 'allow-b',
    });
    expect(ask(index, { id: 'u', type: 'user', roles: [a, b] })).toMatchObject({
      allow: false,
      reason: 'denied_by_rule',
      ruleId: 'deny-a',
    });
  });

  it('a rule found under a key is taken only for its own kind and name', () => {
    // A role's and a group's hash may meet in a table key too; the rule checks the kind.
    const index = indexOf([{ id: 'ops', principal: { type: 'role', value: 'ops' }, operations: ['infer'] }]);
    const rule = index.enforcedFor('m')[0]!.rules[0]!;
    expect(rule.names(PRINCIPAL_KINDS.role, 'ops')).toBe(true);
    expect(rule.names(PRINCIPAL_KINDS.group, 'ops')).toBe(false);
    expect(rule.names(PRINCIPAL_KINDS.role, 'Ops')).toBe(false);
  });
});

describe('CallerKeys', () => {
  it('lists the id, then the roles, then the groups, and starts over on fill', () => {
    const keys = CallerKeys.of({
      principalType: 'api_key',
      principalId: 'k1',
      roles: ['r'],
      groups: ['g', 'h'],
    });
    expect(keys.names).toEqual(['k1', 'r', 'g', 'h']);
    expect(keys.kinds).toEqual([
      PRINCIPAL_KINDS.api_key,
      PRINCIPAL_KINDS.role,
      PRINCIPAL_KINDS.group,
      PRINCIPAL_KINDS.group,
    ]);
    expect(keys.count).toBe(4);
    keys.fill({ principalType: 'user', principalId: 'alice', roles: [], groups: [] });
    expect(keys.count).toBe(1);
    expect(keys.names[0]).toBe('alice');
    expect(keys.hashes[0]).toBe(principalHash(PRINCIPAL_KINDS.user, 'alice'));
  });
});
