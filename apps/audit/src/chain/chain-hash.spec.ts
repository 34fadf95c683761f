import { describe, expect, it } from 'vitest';
import { canonicalJson, GENESIS_HASH, rowHash, type ChainedFields } from './chain-hash';

const row: ChainedFields = {
  seq: 1,
  id: '6f1c2d1e-0000-4000-8000-000000000001',
  source: 'decision',
  occurredAt: '2026-12-01T10:00:00.000Z',
  ingestedAt: '2026-12-01T10:00:00.123Z',
  principalId: 'alice@company.com',
  principalType: 'user',
  model: 'qwen3-7b-chat',
  operation: 'infer',
  decision: 'allow',
  reason: 'allowed',
  record: { b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } },
  prevHash: GENESIS_HASH,
};

describe('chain hashing', () => {
  it('gives the same canonical JSON whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { y: 2, x: [3, { q: 1, p: 2 }] } })).toBe(
      '{"a":{"x":[3,{"p":2,"q":1}],"y":2},"b":1}',
    );
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('changes the hash when any covered field changes', () => {
    const base = rowHash(row);
    expect(rowHash({ ...row, record: { a: { c: 'x', d: [1, { y: 2, z: 1 }] }, b: 1 } })).toBe(base);
    for (const changed of [
      { seq: 2 },
      { principalId: null },
      { decision: 'deny' as const },
      { prevHash: 'f'.repeat(64) },
      { record: { b: 2, a: {} } },
      { reason: 'allowed ' },
    ]) {
      expect(rowHash({ ...row, ...changed })).not.toBe(base);
    }
  });

  it('does not let one field bleed into the next (no ambiguous concatenation)', () => {
    expect(rowHash({ ...row, principalId: 'a', principalType: 'bc' })).not.toBe(
      rowHash({ ...row, principalId: 'ab', principalType: 'c' }),
    );
  });
});
