import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from '../parse/parse-document';
import { PolicyIndex } from '../policy-index/policy-index';
import { InMemorySlidingWindowLimiter } from '../sliding-window-limiter';
import { check } from './check';
import type { Principal } from './request';
import { visibleModels } from './visible-models';

const index = PolicyIndex.from(
  [
    {
      model: 'qwen3-*',
      rules: [
        { id: 'family', principal: { type: 'role', value: 'researcher' }, operations: ['view', 'infer'] },
      ],
    },
    {
      model: 'qwen3-medical',
      rules: [
        {
          id: 'no-medical',
          effect: 'deny',
          principal: { type: 'group', value: 'interns' },
          operations: ['view'],
        },
      ],
    },
    {
      model: 'internlm3-finance',
      rules: [
        {
          id: 'limited',
          principal: { type: 'role', value: 'researcher' },
          operations: ['view'],
          conditions: { rate_limit: '1 req/hour' },
        },
      ],
    },
    {
      model: 'qwen3-vl-demo',
      rules: [
        {
          id: 'office',
          principal: { type: 'any' },
          operations: ['view'],
          conditions: { ip_range: ['10.0.0.0/8'] },
        },
      ],
    },
  ].map((json, i) => {
    const parsed = parsePolicyDocument(json);
    if (!parsed.ok) throw new Error(parsed.issues[0]!.message);
    return { document: parsed.value, version: i + 1 };
  }),
);

const catalog = ['qwen3-7b-chat', 'qwen3-medical', 'internlm3-finance', 'qwen3-vl-demo', 'unlisted-model'];
const researcher: Principal = { id: 'dana@company.com', type: 'user', roles: ['researcher'] };
const intern: Principal = { id: 'ian@company.com', type: 'user', roles: ['researcher'], groups: ['interns'] };
const context = { ip: '203.0.113.1', time: Date.UTC(2026, 0, 15, 10) };

describe('visibleModels', () => {
  it('lists the models a check of view would allow, in catalog order', () => {
    expect(visibleModels(index, { principal: researcher, context, models: catalog })).toEqual([
      'qwen3-7b-chat',
      'qwen3-medical',
      'internlm3-finance',
      'qwen3-vl-demo',
    ]);
    expect(visibleModels(index, { principal: intern, context, models: catalog })).toEqual([
      'qwen3-7b-chat',
      'internlm3-finance',
      'qwen3-vl-demo',
    ]);
    expect(
      visibleModels(index, { principal: { id: 'x', type: 'api_key' }, context, models: catalog }),
    ).toEqual([]);
    expect(
      visibleModels(index, {
        principal: { id: 'x', type: 'api_key' },
        context: { ...context, ip: '10.0.0.9' },
        models: catalog,
      }),
    ).toEqual(['qwen3-vl-demo']);
  });

  it('agrees with check for every model without a rate limit', () => {
    for (const principal of [researcher, intern, { id: 'x', type: 'api_key' as const }]) {
      for (const ip of ['10.0.0.9', '203.0.113.1']) {
        const listed = visibleModels(index, { principal, context: { ...context, ip }, models: catalog });
        for (const model of catalog.filter((m) => m !== 'internlm3-finance')) {
          const allowed = check(
            index,
            { principal, model, operation: 'view', context: { ...context, ip } },
            new InMemorySlidingWindowLimiter(),
          ).allow;
          expect(listed.includes(model)).toBe(allowed);
        }
      }
    }
  });

  it('lists a rate-limited model while its limit is spent (a use answers 429, not 404)', () => {
    // Listing takes no limiter at all, so it cannot spend a token.
    const limiter = new InMemorySlidingWindowLimiter();
    const use = () =>
      check(
        index,
        { principal: researcher, model: 'internlm3-finance', operation: 'view', context },
        limiter,
      );
    expect(use().allow).toBe(true);
    expect(use().reason).toBe('rate_limited');
    expect(visibleModels(index, { principal: researcher, context, models: ['internlm3-finance'] })).toEqual([
      'internlm3-finance',
    ]);
  });

  it('asks about another operation when told', () => {
    // internlm3-finance grants view only; qwen3-* grants infer on every qwen3 model.
    expect(
      visibleModels(index, { principal: researcher, operation: 'infer', context, models: catalog }),
    ).toEqual(['qwen3-7b-chat', 'qwen3-medical', 'qwen3-vl-demo']);
  });

  it('never lists an invalid name, lists a name once, and fails closed on a bad request', () => {
    expect(
      visibleModels(index, {
        principal: researcher,
        context,
        models: ['qwen3-x', 'qwen3-x', 'qwen3-../x', 'qwen3-*', 42 as unknown as string],
      }),
    ).toEqual(['qwen3-x']);
    expect(visibleModels(index, { principal: { id: '', type: 'user' }, context, models: catalog })).toEqual(
      [],
    );
    expect(
      visibleModels(index, { principal: researcher, context, models: 'qwen3-x' as unknown as string[] }),
    ).toEqual([]);
    const hostile = {
      principal: researcher,
      context,
      get models(): never {
        throw new Error('boom');
      },
    };
    expect(visibleModels(index, hostile)).toEqual([]);
  });
});
