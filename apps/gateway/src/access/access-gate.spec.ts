import { describe, expect, it } from 'vitest';
import { AuthenticationError, type Principal } from '@modelgate/auth';
import { createLogger } from '@modelgate/telemetry';
import { DecisionUnavailableError, type CheckResult } from '../decision/decision-client';
import { IdentityUnavailableError } from '../principal/identity-client';
import type { Refusal } from '../records/refusal-recorder';
import { AccessGate, type Decider } from './access-gate';

const ID = '0b6f1f5e-8f3c-4c55-9a55-2f0d0c7c1a11';
const alice: Principal = {
  id: 'alice@company.com',
  type: 'user',
  roles: ['researcher'],
  groups: [],
  credential: { kind: 'identity_token', issuer: 'i' },
};
const req = { requestId: 'r1', operation: 'infer', ip: '10.1.2.3', startedAt: process.hrtime.bigint() };
const logger = createLogger('test', 'silent');

function gate(opts: {
  check?: () => Promise<CheckResult>;
  visible?: string[];
  resolve?: () => Promise<Principal>;
}) {
  const refusals: Refusal[] = [];
  const calls: string[] = [];
  const decider: Decider = {
    check: (input) => {
      calls.push(
        `check ${input.principal.type}:${input.principal.id} ${input.model} ${input.operation} ${input.ip}`,
      );
      return opts.check
        ? opts.check()
        : Promise.resolve({
            decisionId: ID,
            allow: true,
            reason: 'allowed',
            ruleId: 'r',
            policyVersion: 1,
            retryAt: null,
          });
    },
    visibleModels: (_p, models) => {
      calls.push(`visible ${models.join(',')}`);
      return Promise.resolve({
        decisionId: ID,
        models: models.filter((m) => (opts.visible ?? []).includes(m)),
      });
    },
  };
  const g = new AccessGate(
    { resolve: opts.resolve ?? (() => Promise.resolve(alice)) },
    decider,
    { record: (r) => (refusals.push(r), 'refusal-id') },
    logger,
    () => 1_000_000,
  );
  return { g, refusals, calls };
}
const deny =
  (reason: CheckResult['reason'], retryAt: number | null = null) =>
  () =>
    Promise.resolve<CheckResult>({
      decisionId: ID,
      allow: false,
      reason,
      ruleId: null,
      policyVersion: 1,
      retryAt,
    });

describe('AccessGate.authenticate', () => {
  it('401 for refused credentials and 503 when identity is down, both recorded without a principal', async () => {
    const bad = gate({ resolve: () => Promise.reject(new AuthenticationError('expired')) });
    const r1 = await bad.g.authenticate('Bearer x', req, 'qwen3-7b-chat');
    expect(r1).toMatchObject({ ok: false, refused: { status: 401, decisionId: 'refusal-id' } });
    expect(bad.refusals[0]).toMatchObject({
      principal: null,
      reason: 'unauthenticated',
      model: 'qwen3-7b-chat',
    });
    const down = gate({ resolve: () => Promise.reject(new IdentityUnavailableError('ECONNREFUSED')) });
    expect(await down.g.authenticate('Bearer x', req, '')).toMatchObject({
      ok: false,
      refused: { status: 503, code: 'identity_unavailable' },
    });
    expect(down.refusals[0]?.reason).toBe('decision_unavailable');
  });
});

describe('AccessGate.authorize', () => {
  it('allows with the decision id', async () => {
    const { g, calls } = gate({});
    expect(await g.authorize(alice, { ok: true, model: 'qwen3-7b-chat' }, req)).toEqual({
      allowed: true,
      decisionId: ID,
      model: 'qwen3-7b-chat',
    });
    expect(calls).toEqual(['check user:alice@company.com qwen3-7b-chat infer 10.1.2.3']);
  });

  it('403 with the reason when the caller may see the model, 404 when not', async () => {
    const visible = gate({ check: deny('ip_not_allowed'), visible: ['qwen3-7b-chat'] });
    expect(await visible.g.authorize(alice, { ok: true, model: 'qwen3-7b-chat' }, req)).toMatchObject({
      status: 403,
      code: 'ip_not_allowed',
      decisionId: ID,
    });
    const hidden = gate({ check: deny('no_matching_rule') });
    const r = await hidden.g.authorize(alice, { ok: true, model: 'qwen3-medical' }, req);
    expect(r).toMatchObject({ status: 404, code: 'model_not_found', decisionId: ID });
    // Hidden and missing read the same.
    expect((r as { message: string }).message).toBe(
      "The model 'qwen3-medical' does not exist or you do not have access to it.",
    );
    expect(hidden.refusals).toEqual([]); // the decision service recorded it
  });

  it('a denied view is always a 404', async () => {
    const { g, calls } = gate({ check: deny('no_matching_rule'), visible: ['m'] });
    expect(await g.authorize(alice, { ok: true, model: 'm' }, { ...req, operation: 'view' })).toMatchObject({
      status: 404,
    });
    expect(calls).toHaveLength(1);
  });

  it('429 with Retry-After in whole seconds, at least 1', async () => {
    const { g } = gate({ check: deny('rate_limited', 1_000_000 + 2_500) });
    expect(await g.authorize(alice, { ok: true, model: 'm' }, req)).toMatchObject({
      status: 429,
      retryAfterSec: 3,
    });
    const past = gate({ check: deny('rate_limited', 10) });
    expect(await past.g.authorize(alice, { ok: true, model: 'm' }, req)).toMatchObject({ retryAfterSec: 1 });
  });

  it('fails closed with 503 when the decision service fails, and records it', async () => {
    const { g, refusals } = gate({
      check: () => Promise.reject(new DecisionUnavailableError('4: Deadline exceeded')),
    });
    expect(await g.authorize(alice, { ok: true, model: 'm' }, req)).toMatchObject({
      allowed: false,
      status: 503,
      code: 'decision_unavailable',
    });
    expect(refusals[0]).toMatchObject({
      reason: 'decision_unavailable',
      principal: { id: 'alice@company.com' },
    });
  });

  it('refuses bad model names (400) and key scope (404 model / 403 operation) before asking', async () => {
    const key: Principal = {
      ...alice,
      credential: {
        kind: 'api_key',
        issuer: 'i',
        keyId: 'k1',
        models: ['qwen3-vl-demo'],
        operations: ['infer'],
      },
    };
    const { g, refusals, calls } = gate({});
    expect(
      await g.authorize(alice, { ok: false, field: 'model', problem: 'expected a string', model: null }, req),
    ).toMatchObject({ status: 400, message: 'model: expected a string' });
    expect(await g.authorize(key, { ok: true, model: 'qwen3-medical' }, req)).toMatchObject({ status: 404 });
    expect(
      await g.authorize(key, { ok: true, model: 'qwen3-vl-demo' }, { ...req, operation: 'download' }),
    ).toMatchObject({ status: 403, code: 'key_scope' });
    expect(refusals.map((r) => r.reason)).toEqual(['invalid_request', 'key_scope', 'key_scope']);
    expect(refusals[1]?.principal).toMatchObject({ type: 'api_key', id: 'k1' });
    expect(calls).toEqual([]);
  });
});
