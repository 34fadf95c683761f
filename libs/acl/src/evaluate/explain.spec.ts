import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../parse/parse-document';
import { PolicyIndex } from '../policy-index/policy-index';
import { InMemorySlidingWindowLimiter } from '../sliding-window-limiter';
import { check } from './check';
import { explain } from './explain';
import type { CheckRequest } from './request';

const index = PolicyIndex.from(
  [
    {
      model: 'qwen3-7b-chat',
      rules: [
        {
          id: 'researchers',
          principal: { type: 'role', value: 'researcher' },
          operations: ['infer', 'view'],
          conditions: {
            ip_range: ['10.0.0.0/8'],
            rate_limit: '1 req/min',
            time_window: { days: ['thu'], start: '09:00', end: '18:00', tz: 'Asia/Shanghai' },
          },
        },
        {
          id: 'alice',
          principal: { type: 'user', value: 'alice@company.com' },
          operations: ['train'],
          conditions: { valid_from: '2026-02-01T00:00:00Z', valid_until: '2026-03-01T00:00:00Z' },
        },
        { id: 'partners', principal: { type: 'group', value: 'partners' }, operations: ['view'] },
      ],
    },
    {
      model: 'qwen3-*',
      rules: [
        {
          id: 'ban',
          effect: 'deny',
          principal: { type: 'user', value: 'mallory@company.com' },
          operations: ['infer'],
        },
      ],
    },
    {
      model: 'qwen3-7b-chat',
      mode: 'shadow',
      rules: [{ id: 'everyone', principal: { type: 'any' }, operations: ['infer'] }],
    },
  ].map((json, i) => {
    const parsed = parsePolicyDocument(json);
    if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
    return { document: parsed.value, version: 10 + i };
  }),
);

// Thursday 2026-01-15 10:00 in Shanghai.
const T = Date.UTC(2026, 0, 15, 2);
const alice: CheckRequest = {
  principal: { id: 'alice@company.com', type: 'user', roles: ['researcher'], groups: ['researchers'] },
  model: 'qwen3-7b-chat',
  operation: 'infer',
  context: { ip: '10.1.2.3', time: T },
};

describe('explain', () => {
  it('traces every rule of the applicable documents and why it matched or not', () => {
    const explanation = explain(index, alice, { rateLimiter: new InMemorySlidingWindowLimiter() });
    expect(explanation.decision).toMatchObject({
      allow: true,
      reason: 'allowed',
      ruleId: 'researchers',
      policyVersion: 10,
      shadow: { allow: true, ruleId: 'everyone' },
    });
    expect(explanation.time).toBe(T);
    expect(explanation.ip).toBe('10.1.2.3');
    expect(
      explanation.rules.map((r) => [
        r.documentModel,
        r.mode,
        r.ruleId,
        r.status,
        r.failure,
        r.decisive,
        r.shadowDecisive,
      ]),
    ).toEqual([
      ['qwen3-7b-chat', 'enforce', 'researchers', 'applies', null, true, false],
      ['qwen3-7b-chat', 'enforce', 'alice', 'operation_mismatch', null, false, false],
      ['qwen3-7b-chat', 'enforce', 'partners', 'principal_mismatch', null, false, false],
      ['qwen3-*', 'enforce', 'ban', 'principal_mismatch', null, false, false],
      ['qwen3-7b-chat', 'shadow', 'everyone', 'applies', null, false, true],
    ]);
    expect(explanation.rules[0]).toMatchObject({
      principal: 'role:researcher',
      operations: ['infer', 'view'],
      effect: 'allow',
      policyVersion: 10,
    });
    expect(explanation.rules[0]!.conditions).toEqual([
      { condition: 'ip_range', holds: true, detail: '10.1.2.3 is in 10.0.0.0/8' },
      {
        condition: 'time_window',
        holds: true,
        detail: 'thu 09:00-18:00 Asia/Shanghai; local time is thu 10:00',
      },
      { condition: 'rate_limit', holds: true, detail: '1 req/min; room for this request' },
    ]);
    expect(explanation.rules[4]!.principal).toBe('any');
  });

  it('never counts: explaining again and again leaves the token to the check', () => {
    const limiter = new InMemorySlidingWindowLimiter();
    for (let i = 0; i < 3; i++)
      expect(explain(index, alice, { rateLimiter: limiter }).decision.allow).toBe(true);
    expect(check(index, alice, limiter).allow).toBe(true);
    const after = explain(index, alice, { rateLimiter: limiter });
    expect(after.decision).toMatchObject({ allow: false, reason: 'rate_limited', retryAt: T + 60_000 });
    expect(after.rules[0]).toMatchObject({ status: 'rate_limited', failure: 'rate_limited', decisive: true });
    expect(after.rules[0]!.conditions[2]).toEqual({
      condition: 'rate_limit',
      holds: false,
      detail: '1 req/min; exhausted until 2026-01-15T02:01:00Z',
    });
  });

  it('without a limiter, takes rate limits to have room and says so', () => {
    const explanation = explain(index, alice);
    expect(explanation.decision.allow).toBe(true);
    expect(explanation.rules[0]!.conditions[2]).toEqual({
      condition: 'rate_limit',
      holds: null,
      detail: '1 req/min; no limiter was consulted',
    });
  });

  it('answers what-if: another address, another time, no address', () => {
    const outside = explain(index, alice, { whatIf: { ip: '203.0.113.5' } });
    expect(outside.decision).toMatchObject({ allow: false, reason: 'ip_not_allowed', ruleId: 'researchers' });
    expect(outside.rules[0]).toMatchObject({
      status: 'condition_failed',
      failure: 'ip_not_allowed',
      decisive: true,
    });
    expect(outside.rules[0]!.conditions[0]).toEqual({
      condition: 'ip_range',
      holds: false,
      detail: '203.0.113.5 is not in 10.0.0.0/8',
    });
    const none = explain(index, alice, { whatIf: { ip: null } });
    expect(none.rules[0]!.conditions[0]).toEqual({
      condition: 'ip_range',
      holds: false,
      detail: 'the request has no address; allowed: 10.0.0.0/8',
    });
    const evening = explain(index, alice, { whatIf: { time: '2026-01-15T19:30:00+08:00' } });
    expect(evening.decision.reason).toBe('outside_time_window');
    expect(evening.rules[0]!.conditions[1]).toMatchObject({
      holds: false,
      detail: 'thu 09:00-18:00 Asia/Shanghai; local time is thu 19:30',
    });
    const train = explain(
      index,
      { ...alice, operation: 'train' },
      { whatIf: { time: '2026-03-01T00:00:00.001Z' } },
    );
    expect(train.decision).toMatchObject({ reason: 'expired', ruleId: 'alice' });
    expect(train.rules[1]!.conditions).toEqual([
      { condition: 'valid_from', holds: true, detail: 'valid from 2026-02-01T00:00:00Z (inclusive)' },
      { condition: 'valid_until', holds: false, detail: 'valid until 2026-03-01T00:00:00Z (inclusive)' },
    ]);
  });

  it('marks a deciding deny', () => {
    const mallory = { ...alice, principal: { id: 'mallory@company.com', type: 'user' as const } };
    const explanation = explain(index, mallory);
    expect(explanation.decision).toMatchObject({
      reason: 'denied_by_rule',
      ruleId: 'ban',
      documentModel: 'qwen3-*',
      policyVersion: 11,
    });
    expect(explanation.rules.find((r) => r.ruleId === 'ban')).toMatchObject({
      status: 'applies',
      decisive: true,
      conditions: [],
    });
  });

  it('gives the decision of check for the same request', () => {
    for (const operation of ['infer', 'train', 'download', 'view'] as const) {
      for (const ip of ['10.1.2.3', '8.8.8.8']) {
        const request = { ...alice, operation, context: { ip, time: T } };
        const { shadow, ...decision } = check(index, request, new InMemorySlidingWindowLimiter());
        expect(explain(index, request).decision).toMatchObject({ ...decision, shadow });
      }
    }
  });

  it('explains a bad request with its reason and no trace, and never throws', () => {
    expect(explain(index, { ...alice, model: '../x' })).toMatchObject({
      decision: { reason: 'invalid_request' },
      rules: [],
      time: null,
      ip: null,
    });
    const hostile = {
      ...alice,
      get context(): never {
        throw new Error('boom');
      },
    };
    expect(explain(index, hostile, { whatIf: { ip: '1.2.3.4' } })).toMatchObject({
      decision: { reason: 'evaluation_error' },
      rules: [],
    });
  });
});
