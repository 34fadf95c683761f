import { describe, expect, it } from 'vitest';
import { DecisionUnavailableError, metadataOf, readCheck } from './decision-client';

const ID = '0b6f1f5e-8f3c-4c55-9a55-2f0d0c7c1a11';

describe('readCheck', () => {
  it('reads an allow and a rate-limited deny', () => {
    expect(
      readCheck({ decision_id: ID, allow: true, reason: 'allowed', rule_id: 'r1', policy_version: 3 }),
    ).toEqual({
      decisionId: ID,
      allow: true,
      reason: 'allowed',
      ruleId: 'r1',
      policyVersion: 3,
      retryAt: null,
    });
    const limited = readCheck({
      decision_id: ID,
      allow: false,
      reason: 'rate_limited',
      policy_version: 3,
      retry_at: '2026-12-02T10:00:00.000Z',
    });
    expect(limited.retryAt).toBe(Date.parse('2026-12-02T10:00:00.000Z'));
    expect(limited.ruleId).toBeNull();
  });

  it('fails closed on every malformed answer', () => {
    const cases: unknown[] = [
      undefined,
      {},
      { decision_id: 'x', allow: true, reason: 'allowed' },
      { decision_id: ID, allow: 'true', reason: 'allowed' },
      { decision_id: ID, allow: true, reason: 'because' },
      { decision_id: ID, allow: true, reason: 'denied_by_rule' },
      { decision_id: ID, allow: false, reason: 'allowed' },
      { decision_id: ID, allow: true, reason: 'allowed', policy_version: -1 },
      { decision_id: ID, allow: true, reason: 'allowed', policy_version: 1.5 },
      { decision_id: ID, allow: false, reason: 'rate_limited', retry_at: 'soon' },
      { decision_id: ID, allow: true, reason: 'allowed', rule_id: 7 },
    ];
    for (const answer of cases) {
      expect(() => readCheck(answer as never)).toThrow(DecisionUnavailableError);
    }
  });
});

describe('metadataOf', () => {
  it('passes the request id and a W3C traceparent, and drops a traceparent that is not one', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(metadataOf({ requestId: 'r1', traceparent: tp })).toEqual({
      'x-request-id': 'r1',
      traceparent: tp,
    });
    for (const bad of ['', 'x', `${tp}\r\nx-forged: 1`, tp.toUpperCase(), `${tp}-00`]) {
      expect(metadataOf({ requestId: 'r1', traceparent: bad })).toEqual({ 'x-request-id': 'r1' });
    }
  });
});
