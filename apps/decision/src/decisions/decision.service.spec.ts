import { describe, expect, it } from 'vitest';
import type { DecisionRecordV1 } from '@modelgate/contracts';
import { createEnvelope } from '@modelgate/messaging';
import { createLogger } from '@modelgate/telemetry';
import { IdentityStore } from '../identity/identity-store';
import { Metrics } from '../metrics/metrics';
import type { FeedStatus } from '../policy/policy-feed';
import { PolicyStore } from '../policy/policy-store';
import { DecisionRateLimiter } from '../rate-limit/rate-limiter';
import { DecisionError } from './decision.error';
import { DecisionService, type CallMeta } from './decision.service';

const T = '2026-01-15T10:00:00Z';
const META: CallMeta = {
  requestId: 'req-1',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  receivedAt: process.hrtime.bigint(),
};
const DANA = { id: 'dana@company.com', type: 'user', roles: ['researcher'] };
const CHECK = {
  principal: DANA,
  model: 'qwen3-7b-chat',
  operation: 'infer',
  context: { ip: '10.1.2.3', time: T },
};

function setup(status: FeedStatus = 'ready') {
  const policy = new PolicyStore();
  policy.applyState('qwen3-7b-chat', {
    model: 'qwen3-7b-chat',
    version: 7,
    enforce: {
      model: 'qwen3-7b-chat',
      mode: 'enforce',
      rules: [
        {
          id: 'researchers',
          principal: { type: 'role', value: 'researcher' },
          operations: ['infer', 'view'],
          conditions: { rate_limit: '2 req/min' },
        },
      ],
    },
    shadow: null,
    updated_at: T,
  });
  const identity = new IdentityStore();
  const feed = { current: status, status: () => feed.current };
  const records: DecisionRecordV1[] = [];
  const recorder = {
    open: true,
    accept: (r: DecisionRecordV1) => (recorder.open ? (records.push(r), true) : false),
  };
  const metrics = new Metrics();
  const limiter = new DecisionRateLimiter(null, 50, metrics, createLogger('test', 'silent'));
  const service = new DecisionService(policy, identity, feed, limiter, recorder, 'replica-1', metrics);
  return { service, feed, identity, records, recorder };
}

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<DecisionError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(DecisionError);
    return error as DecisionError;
  }
  throw new Error('expected a DecisionError');
}

describe('DecisionService', () => {
  it('answers in the wire shape and records the check without secrets', async () => {
    const { service, records } = setup();
    const answer = await service.check(CHECK, META);
    expect(answer).toEqual({
      decision_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      allow: true,
      reason: 'allowed',
      rule_id: 'researchers',
      policy_version: 7,
      shadow: null,
      retry_at: null,
    });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      decision_id: answer.decision_id,
      request_id: 'req-1',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      principal: { id: 'dana@company.com', type: 'user', roles: ['researcher'], groups: [] },
      model: 'qwen3-7b-chat',
      operation: 'infer',
      source_ip: '10.1.2.3',
      allow: true,
      reason: 'allowed',
      rule_id: 'researchers',
      policy_version: 7,
      shadow: null,
      replica: 'replica-1',
    });
    expect(records[0]!.latency_us).toBeGreaterThanOrEqual(0);
  });

  it('gives a retry time for rate-limited checks', async () => {
    const { service } = setup();
    await service.check(CHECK, META);
    await service.check(CHECK, META);
    expect(await service.check(CHECK, META)).toMatchObject({
      allow: false,
      reason: 'rate_limited',
      retry_at: '2026-01-15T10:01:00.000Z',
    });
  });

  it.each([
    ['loading', 'policy_not_loaded'],
    ['stale', 'policy_stale'],
  ] as const)('denies every check while %s, but still rejects malformed ones', async (status, reason) => {
    const { service, records } = setup(status);
    expect(await service.check(CHECK, META)).toMatchObject({
      allow: false,
      reason,
      rule_id: null,
      policy_version: 0,
    });
    expect(records[0]).toMatchObject({ allow: false, reason });
    expect((await rejection(service.check({ ...CHECK, operation: 'fly' }, META))).message).toMatch(
      /^operation: expected one of/,
    );
    expect(
      (await rejection(() => service.visibleModels({ principal: DANA, models: ['qwen3-7b-chat'] }, META)))
        .code,
    ).toBe(status === 'loading' ? 'policy_not_loaded' : 'policy_stale');
  });

  it('denies principals and keys identity disabled or revoked', async () => {
    const { service, identity } = setup();
    identity.apply(
      createEnvelope({
        type: 'identity.principal_disabled',
        schema: 1,
        stream: 'principal:dana',
        sequence: 1,
        actor: { id: 'a', type: 'user' },
        data: { principal_id: 'dana@company.com', principal_type: 'user' },
      }),
    );
    expect(await service.check(CHECK, META)).toMatchObject({ allow: false, reason: 'principal_disabled' });
    expect(service.visibleModels({ principal: DANA, models: ['qwen3-7b-chat'] }, META).models).toEqual([]);
    expect(service.explain(CHECK, META).decision).toMatchObject({
      allow: false,
      reason: 'principal_disabled',
    });
  });

  it('denies a check whose record cannot be kept', async () => {
    const { service, recorder } = setup();
    recorder.open = false;
    expect(await service.check(CHECK, META)).toMatchObject({ allow: false, reason: 'record_unavailable' });
  });

  it.each([
    [{ ...CHECK, model: '../etc/passwd' }, /^model: /],
    [
      { ...CHECK, principal: { ...DANA, type: 'robot' } },
      /^principal\.type: expected one of user, api_key, service_account/,
    ],
    [{ ...CHECK, context: { time: 'yesterday' } }, /^context\.time: /],
    [{ ...CHECK, context: { ip: '10.0.0.300', time: T } }, /^context\.ip: /],
    ['not an object', /^request: expected an object/],
  ])('names the bad field of a malformed check (%#)', async (input, message) => {
    const { service, records } = setup();
    expect((await rejection(service.check(input, META))).message).toMatch(message);
    expect(records.every((r) => r.reason === 'invalid_request')).toBe(true);
  });

  it('validates a whole batch before deciding any of it', async () => {
    const { service, records } = setup();
    const error = await rejection(
      service.checkBatch({ checks: [CHECK, CHECK, { ...CHECK, operation: 'fly' }] }, META),
    );
    expect(error.message).toMatch(/^checks\[2\]\.operation: /);
    expect(records).toHaveLength(0);
    const answers = await service.checkBatch({ checks: [CHECK, { ...CHECK, model: 'qwen3-medical' }] }, META);
    expect(answers.map((a) => [a.allow, a.reason])).toEqual([
      [true, 'allowed'],
      [false, 'no_matching_rule'],
    ]);
    expect(new Set(answers.map((a) => a.decision_id)).size).toBe(2);
    expect((await rejection(service.checkBatch({ checks: 'x' }, META))).message).toMatch(/^checks: /);
  });

  it("records each check of a batch under the request id and trace context it names, else the call's", async () => {
    const { service, records } = setup();
    const tp = '00-11111111111111111111111111111111-2222222222222222-01';
    const answers = await service.checkBatch(
      {
        checks: [
          { ...CHECK, request_id: 'gw-1', traceparent: tp },
          { ...CHECK, request_id: 'gw-2' },
          { ...CHECK, model: 'qwen3-medical' },
        ],
      },
      META,
    );
    // In order: the rule's limit (2 a minute) takes the first two, the third is another model.
    expect(answers.map((a) => a.reason)).toEqual(['allowed', 'allowed', 'no_matching_rule']);
    expect(records.map((r) => [r.request_id, r.trace_id])).toEqual([
      ['gw-1', '11111111111111111111111111111111'],
      ['gw-2', '0af7651916cd43dd8448eb211c80319c'],
      ['req-1', '0af7651916cd43dd8448eb211c80319c'],
    ]);
    await service.check({ ...CHECK, model: 'qwen3-medical', request_id: 'alone' }, META);
    expect(records.at(-1)!.request_id).toBe('alone');
  });

  it('refuses a request id or trace context that is not printable ASCII of at most 256, naming the item', async () => {
    const { service, records } = setup();
    for (const [field, value] of [
      ['request_id', 'a\r\nforged: 1'],
      ['request_id', ''],
      ['request_id', 'x'.repeat(257)],
      ['request_id', 7],
      ['traceparent', 'naïve'],
    ] as const) {
      const error = await rejection(
        service.checkBatch({ checks: [CHECK, { ...CHECK, [field]: value }] }, META),
      );
      expect(error.message).toBe(`checks[1].${field}: expected 1 to 256 printable ASCII characters`);
    }
    expect(records).toHaveLength(0);
  });

  it('lists visible models and explains without counting', async () => {
    const { service, records } = setup();
    expect(
      service.visibleModels(
        { principal: DANA, context: { time: T }, models: ['qwen3-7b-chat', 'qwen3-medical'] },
        META,
      ).models,
    ).toEqual(['qwen3-7b-chat']);
    for (let i = 0; i < 3; i++)
      expect(service.explain(CHECK, META).decision).toMatchObject({ allow: true, rule_id: 'researchers' });
    const explained = service.explain({ ...CHECK, what_if: { time: '2026-01-15T12:00:00Z' } }, META);
    expect(explained.time).toBe('2026-01-15T12:00:00.000Z');
    expect(explained.rules[0]).toMatchObject({ rule_id: 'researchers', status: 'applies', decisive: true });
    expect(
      (await rejection(() => service.explain({ ...CHECK, what_if: { time: 'noon' } }, META))).message,
    ).toMatch(/^what_if\.time: /);
    expect(records).toHaveLength(0);
  });
});
