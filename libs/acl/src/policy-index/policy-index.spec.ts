import { describe, expect, it } from 'vitest';
import { check } from '../evaluate/check';
import type { CheckRequest } from '../evaluate/request';
import { parsePolicyDocument } from '../parse/parse-document';
import type { PolicyDocument } from '../policy';
import { InMemorySlidingWindowLimiter } from '../sliding-window-limiter';
import { PolicyIndex } from './policy-index';

function document(json: unknown): PolicyDocument {
  const parsed = parsePolicyDocument(json);
  if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
  return parsed.value;
}

const grant = (model: string, value: string, extra: Record<string, unknown> = {}): PolicyDocument =>
  document({
    model,
    ...extra,
    rules: [{ id: `to-${value}`, principal: { type: 'group', value }, operations: ['infer'] }],
  });

const ask = (index: PolicyIndex, model: string, group: string) => {
  const request: CheckRequest = {
    principal: { id: 'u', type: 'api_key', groups: [group] },
    model,
    operation: 'infer',
    context: { time: 0 },
  };
  return check(index, request, new InMemorySlidingWindowLimiter());
};

describe('PolicyIndex', () => {
  it('keeps one document per model pattern and mode, replacing on upsert', () => {
    const index = PolicyIndex.from([
      { document: grant('m', 'a'), version: 1 },
      { document: grant('m', 'b'), version: 2 },
      { document: grant('m', 'c', { mode: 'shadow' }), version: 3 },
      { document: grant('m-*', 'd'), version: 4 },
    ]);
    expect(index.documentCount).toBe(3);
    expect(index.ruleCount).toBe(3);
    expect(index.get('m')?.version).toBe(2);
    expect(index.get('m', 'shadow')?.version).toBe(3);
    expect(index.get('m-*')?.document.rules[0]!.id).toBe('to-d');
    expect(index.get('m-x')).toBeUndefined();
    expect(
      index
        .documents()
        .map((d) => d.version)
        .sort(),
    ).toEqual([2, 3, 4]);
    expect(ask(index, 'm', 'a').allow).toBe(false);
    expect(ask(index, 'm', 'b').allow).toBe(true);
  });

  it('removes a document by its pattern and mode', () => {
    const index = PolicyIndex.from([
      { document: grant('m', 'a'), version: 1 },
      { document: grant('m', 'a', { mode: 'shadow' }), version: 2 },
    ]);
    expect(index.remove('m', 'shadow')).toBe(true);
    expect(index.remove('m', 'shadow')).toBe(false);
    expect(ask(index, 'm', 'a').allow).toBe(true);
    expect(index.remove('m')).toBe(true);
    expect(index.remove('nothing-*')).toBe(false);
    expect(index.documentCount).toBe(0);
    expect(ask(index, 'm', 'a')).toMatchObject({
      allow: false,
      reason: 'no_matching_rule',
      policyVersion: 0,
    });
  });

  it('sees a change at once, also for models it has answered before', () => {
    const index = new PolicyIndex();
    expect(ask(index, 'qwen3-7b', 'a').allow).toBe(false);
    index.upsert(grant('qwen3-*', 'a'), 1);
    expect(ask(index, 'qwen3-7b', 'a').allow).toBe(true);
    index.upsert(grant('qwen3-7b', 'b'), 2);
    expect(ask(index, 'qwen3-7b', 'b')).toMatchObject({ allow: true, policyVersion: 2 });
    index.upsert(grant('qwen3-*', 'c'), 3);
    expect(ask(index, 'qwen3-7b', 'a').allow).toBe(false);
    expect(ask(index, 'qwen3-7b', 'c').allow).toBe(true);
    index.remove('qwen3-*');
    expect(ask(index, 'qwen3-7b', 'c').allow).toBe(false);
    index.remove('qwen3-7b');
    expect(ask(index, 'qwen3-7b', 'b').allow).toBe(false);
  });

  it('finds globs in every prefix bucket, and forgets emptied buckets', () => {
    const index = PolicyIndex.from(
      ['*', 'q*', 'qw*', 'qwen3-*', 'qwen3-*-chat', 'x*'].map((model, i) => ({
        document: grant(model, `g${i}`),
        version: i,
      })),
    );
    const allowedGroups = (model: string) =>
      [0, 1, 2, 3, 4, 5].filter((i) => ask(index, model, `g${i}`).allow);
    expect(allowedGroups('qwen3-7b-chat')).toEqual([0, 1, 2, 3, 4]);
    expect(allowedGroups('qwen3-7b')).toEqual([0, 1, 2, 3]);
    expect(allowedGroups('q')).toEqual([0, 1]);
    expect(allowedGroups('other')).toEqual([0]);
    index.remove('qw*');
    index.remove('q*');
    expect(allowedGroups('qwen3-7b-chat')).toEqual([0, 3, 4]);
    index.remove('qwen3-*-chat');
    expect(allowedGroups('qwen3-7b-chat')).toEqual([0, 3]);
  });

  it('keeps principals named by another document when one document goes', () => {
    const index = PolicyIndex.from([
      { document: grant('a', 'shared'), version: 1 },
      { document: grant('b', 'shared'), version: 1 },
    ]);
    index.remove('a');
    expect(ask(index, 'b', 'shared').allow).toBe(true);
    index.upsert(grant('b', 'other'), 2);
    expect(ask(index, 'b', 'shared').allow).toBe(false);
    index.upsert(grant('a', 'shared'), 3);
    expect(ask(index, 'a', 'shared').allow).toBe(true);
    expect(ask(index, 'b', 'other').allow).toBe(true);
  });

  it('keeps only valid model names, so a cached name never skips the name check', () => {
    const index = PolicyIndex.from([{ document: grant('*', 'a'), version: 1 }]);
    for (const bad of ['qwen3 ', 'a/b', 'qwen\u200b3', '']) {
      // Asked directly first (the `*` document matches any text), then checked twice.
      expect(index.enforcedFor(bad)).toHaveLength(1);
      expect(index.knownEnforcedFor(bad)).toBeUndefined();
      for (let i = 0; i < 2; i++)
        expect(ask(index, bad, 'a')).toMatchObject({ allow: false, reason: 'invalid_request' });
    }
    expect(ask(index, 'qwen3', 'a').allow).toBe(true);
    expect(index.knownEnforcedFor('qwen3')).toHaveLength(1);
    expect(ask(index, 'qwen3', 'a').allow).toBe(true);
  });

  it('answers for many models without keeping every answer', () => {
    const index = PolicyIndex.from([{ document: grant('*', 'a'), version: 1 }]);
    for (let i = 0; i < 100_100; i++) index.enforcedFor(`model-${i}`);
    expect(ask(index, 'model-1', 'a').allow).toBe(true);
  });

  it('takes a version that is a stream sequence, nothing else', () => {
    const index = new PolicyIndex();
    expect(() => index.upsert(grant('m', 'a'), -1)).toThrow(RangeError);
    expect(() => index.upsert(grant('m', 'a'), 1.5)).toThrow(RangeError);
    expect(() => index.upsert(grant('m', 'a'), Number.NaN)).toThrow(RangeError);
    expect(index.documentCount).toBe(0);
  });
});
