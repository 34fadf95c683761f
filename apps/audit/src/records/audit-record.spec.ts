import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionFields, decisionSchema, parseAuditRecord, UnparseableRecordError } from './audit-record';
import { decisionRecordFields } from '../testing/decision-record';
import { MAX_COLUMN_CHARS } from './sanitise';

const decision = decisionRecordFields({
  decision_id: '0b6f2b44-8d0a-4c3e-9d7e-8c4f6b1a2d3e',
  time: '2026-12-01T10:00:00.123456Z', // microseconds: stored to the millisecond
});
const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseAuditRecord', () => {
  it('maps a decision record, keeping the whole record', () => {
    const r = parseAuditRecord('decision', buf(decision));
    expect(r).toMatchObject({
      id: decision.decision_id,
      source: 'decision',
      occurredAt: '2026-12-01T10:00:00.123Z',
      principalId: 'alice@company.com',
      principalType: 'user',
      model: 'qwen3-7b-chat',
      operation: 'infer',
      decision: 'allow',
      reason: 'allowed',
    });
    expect(r.record).toEqual(decision);
  });

  it("accepts the gateway's refusals as the contract defines them: no principal, the gateway's reasons", () => {
    for (const reason of ['unauthenticated', 'decision_unavailable', 'key_scope', 'invalid_request']) {
      expect(
        parseAuditRecord('decision', buf({ ...decision, principal: null, allow: false, reason })),
      ).toMatchObject({ principalId: null, principalType: null, decision: 'deny', reason });
    }
    // A request without a model it could read: the gateway writes '', the trail has no model.
    const noModel = { ...decision, principal: null, model: '', allow: false, reason: 'invalid_request' };
    expect(parseAuditRecord('decision', buf(noModel))).toMatchObject({ model: null, record: noModel });
  });

  it('refuses a decision record without what identifies and dates it, naming the field', () => {
    const { decision_id: _id, ...withoutId } = decision;
    expect(() => parseAuditRecord('decision', buf(withoutId))).toThrow(/decision_id/);
    expect(() => parseAuditRecord('decision', buf({ ...decision, time: 'yesterday' }))).toThrow(/time/);
    expect(() => parseAuditRecord('decision', buf({ ...decision, allow: 'yes' }))).toThrow(/allow/);
  });

  it('keeps an attempt whose reason or fields a newer writer added', () => {
    const parsed = parseAuditRecord('decision', buf({ ...decision, reason: 'made_up', extra: 1 }));
    expect(parsed.reason).toBe('made_up');
    expect(parsed.record['extra']).toBe(1);
  });

  it('maps policy and identity envelopes (admin changes)', () => {
    const envelope = {
      id: '4d5e6f70-1111-4222-8333-444455556666',
      type: 'acl.rules_replaced',
      schema: 1,
      stream: 'acl:qwen3-*',
      sequence: 2,
      occurred_at: '2026-12-01T10:00:00Z',
      actor: { id: 'admin@company.com', type: 'user', ip: '127.0.0.1' },
      data: {},
    };
    expect(parseAuditRecord('policy', buf(envelope))).toMatchObject({
      source: 'policy',
      model: 'qwen3-*',
      operation: 'acl.rules_replaced',
      principalId: 'admin@company.com',
      decision: null,
    });
    expect(
      parseAuditRecord(
        'identity',
        buf({ ...envelope, type: 'identity.key_revoked', stream: 'principal:bob' }),
      ),
    ).toMatchObject({ source: 'identity', model: null, operation: 'identity.key_revoked' });
  });

  it('refuses what is not a record, with the reason', () => {
    expect(() => parseAuditRecord('decision', null)).toThrow(/tombstone/);
    expect(() => parseAuditRecord('decision', buf('{nope'))).toThrow(UnparseableRecordError);
    expect(() => parseAuditRecord('decision', buf({ ...decision, decision_id: 'x' }))).toThrow(/decision_id/);
    expect(() => parseAuditRecord('policy', buf({ id: 1 }))).toThrow(/invalid event envelope/);
  });

  it('makes hostile strings storable: invalid UTF-8, NUL, lone surrogates, very long values', () => {
    const [before = '', after = ''] = JSON.stringify({ ...decision, model: 'MODEL' }).split('"MODEL"');
    const raw = Buffer.concat([
      buf(before),
      buf('"m\\u0000\\ud800'),
      Buffer.from([0xff, 0xfe]),
      buf('"'),
      buf(after),
    ]);
    const r = parseAuditRecord('decision', raw);
    expect(r.model).toBe('m\uFFFD\uFFFD\uFFFD\uFFFD');
    const long = parseAuditRecord(
      'decision',
      buf({ ...decision, principal: { id: 'x'.repeat(100_000), type: 'user', roles: [], groups: [] } }),
    );
    expect(long.principalId).toHaveLength(MAX_COLUMN_CHARS);
    expect((long.record['principal'] as { id: string }).id).toHaveLength(100_000);
  });

  it('takes the fast path only for what the decision schema accepts, reading the same fields', () => {
    const anything = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string(),
      fc.boolean(),
      fc.integer(),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.constantFrom(
        '0b6f2b44-8d0a-4c3e-9d7e-8c4f6b1a2d3e',
        '0B6F2B44-8D0A-4C3E-9D7E-8C4F6B1A2D3E',
        '0b6f2b44-8d0a-0c3e-9d7e-8c4f6b1a2d3e',
        '2026-12-01T10:00:00Z',
        '2026-12-01T10:00:00.123456+08:00',
        '2026-13-01T10:00:00Z',
        '2026-12-01 10:00:00Z',
        '2026-12-01T10:00:00',
      ),
      fc.record(
        { id: fc.oneof(fc.string(), fc.integer()), type: fc.oneof(fc.string(), fc.constant(null)) },
        {
          requiredKeys: [],
        },
      ),
    );
    const field = fc.constantFrom(
      'decision_id',
      'time',
      'allow',
      'principal',
      'model',
      'operation',
      'reason',
    );
    fc.assert(
      fc.property(fc.dictionary(field, anything), fc.boolean(), (changes, asArray) => {
        const value: unknown = asArray ? [decision] : { ...decision, ...changes };
        const fast = decisionFields(value);
        const schema = decisionSchema.safeParse(value);
        if (fast !== null) {
          expect(schema.success).toBe(true);
          const pick = (d: Record<string, unknown>) =>
            ['decision_id', 'time', 'allow', 'principal', 'model', 'operation', 'reason'].map((k) => d[k]);
          expect(pick(fast)).toEqual(pick(schema.data!));
        }
        // Either way the verdict is the schema's.
        const parse = () => parseAuditRecord('decision', buf(value));
        if (schema.success) expect(parse).not.toThrow();
        else expect(parse).toThrow(UnparseableRecordError);
      }),
      { numRuns: 3_000 },
    );
    expect(decisionFields(decision)).not.toBeNull();
  });
});
