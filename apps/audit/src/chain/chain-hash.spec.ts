import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  canonicalJsonReference,
  canonicalRow,
  GENESIS_HASH,
  rowHash,
  type ChainedFields,
} from './chain-hash';

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

  it('sorts keys by UTF-16 code units and leaves out what JSON leaves out', () => {
    expect(canonicalJson({ b: 1, B: 2, ä: 3, '\u{1F600}': 4, '\uFFFD': 5 })).toBe(
      '{"B":2,"b":1,"ä":3,"\u{1F600}":4,"\uFFFD":5}',
    );
    expect(canonicalJson([undefined, 1, 'x'])).toBe('[null,1,"x"]');
    expect(canonicalJson({ s: 'quote " backslash \\ line\n' })).toBe(
      '{"s":"quote \\" backslash \\\\ line\\n"}',
    );
  });

  it('writes exactly what the reference writes, keys engines reorder and __proto__ included', () => {
    const hostile = JSON.parse(
      '{"b":1,"10":2,"9":3,"a":{"__proto__":{"x":1},"constructor":"c","2":[{"1":0,"0":1}]},"":null,"-1":4,"01":5}',
    ) as unknown;
    expect(canonicalJson(hostile)).toBe(canonicalJsonReference(hostile));
    expect(canonicalJson(hostile)).toBe(
      '{"":null,"-1":4,"01":5,"10":2,"9":3,"a":{"2":[{"0":1,"1":0}],"__proto__":{"x":1},"constructor":"c"},"b":1}',
    );
    expect(canonicalJson({ d: new Date(0), u: undefined, f: [undefined] })).toBe(
      canonicalJsonReference({ d: new Date(0), u: undefined, f: [undefined] }),
    );
    const key = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom('__proto__', '0', '1', '10', '9', '01', '-0', '4294967295', 'toString'),
    );
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(key, tie('json'), { maxKeys: 5 }),
      ),
    })).json;
    fc.assert(
      fc.property(value, (v) => {
        // Through JSON text too: that is how records arrive (own `__proto__` keys and all).
        const parsed = JSON.parse(canonicalJsonReference(v)) as unknown;
        expect(canonicalJson(v)).toBe(canonicalJsonReference(v));
        expect(canonicalJson(parsed)).toBe(canonicalJsonReference(parsed));
      }),
      { numRuns: 2_000 },
    );
  });

  // The v1 form as it was first written (the reference): the key-sorted JSON of the whole
  // array, records included. Rows hashed before the record was serialised on its own must
  // keep verifying.
  const reference = (value: unknown): string => {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  };
  const v1 = (r: ChainedFields): string =>
    reference([
      'v1',
      r.seq,
      r.id,
      r.source,
      r.occurredAt,
      r.ingestedAt,
      r.principalId,
      r.principalType,
      r.model,
      r.operation,
      r.decision,
      r.reason,
      r.record,
      r.prevHash,
    ]);

  it('is the canonical JSON of the v1 field array, whatever the values', () => {
    const nullableText = fc.option(fc.string({ unit: 'binary' }), { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
          id: fc.uuid(),
          source: fc.constantFrom(
            'decision' as const,
            'policy' as const,
            'identity' as const,
            'audit' as const,
          ),
          occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          ingestedAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          principalId: nullableText,
          principalType: nullableText,
          model: nullableText,
          operation: fc.string({ unit: 'binary' }),
          decision: fc.constantFrom('allow' as const, 'deny' as const, null),
          reason: nullableText,
          record: fc.jsonValue(),
          prevHash: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        }),
        (r) => {
          expect(canonicalRow(r, canonicalJson(r.record))).toBe(v1(r));
          expect(rowHash(r)).toBe(createHash('sha256').update(v1(r), 'utf8').digest('hex'));
        },
      ),
      { numRuns: 300 },
    );
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
