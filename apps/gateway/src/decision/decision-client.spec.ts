import { describe, expect, it } from 'vitest';
import { DECISION_GRPC_CONTRACT } from '@modelgate/contracts/grpc';
import {
  firstMetadata,
  GrpcCode,
  GrpcStatusError,
  GrpcUnaryServer,
  loadUnaryMethods,
  type UnaryHandler,
} from '@modelgate/grpc-unary';
import { DecisionClient, DecisionUnavailableError, metadataOf, readCheck } from './decision-client';

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

describe('DecisionClient against a decision server', () => {
  interface Seen {
    readonly method: string;
    readonly requestId: string | undefined;
    readonly items: Record<string, unknown>[];
  }
  const methods = loadUnaryMethods(DECISION_GRPC_CONTRACT);
  const answerFor = (item: Record<string, unknown>, n: number) => ({
    decision_id: `0b6f1f5e-8f3c-4c55-9a55-${String(n).padStart(12, '0')}`,
    allow: item['model'] === 'm-allowed',
    reason: item['model'] === 'm-allowed' ? 'allowed' : 'no_matching_rule',
    policy_version: 1,
  });

  async function start(batchAnswer?: (items: Record<string, unknown>[]) => unknown) {
    const seen: Seen[] = [];
    let n = 0;
    const handler = (name: 'Check' | 'CheckBatch', handle: UnaryHandler<unknown, unknown>['handle']) => ({
      path: methods[name].path,
      deserialize: (b: Buffer) => methods[name].requestDeserialize(b),
      serialize: (v: unknown) => methods[name].responseSerialize(v as object),
      handle,
    });
    const server = new GrpcUnaryServer([
      handler('Check', (request, metadata) => {
        const item = request as Record<string, unknown>;
        seen.push({ method: 'Check', requestId: firstMetadata(metadata, 'x-request-id'), items: [item] });
        if (item['model'] === 'm-bad') throw new GrpcStatusError(GrpcCode.INVALID_ARGUMENT, 'model: bad');
        return answerFor(item, ++n);
      }),
      handler('CheckBatch', (request) => {
        const items = (request as { checks: Record<string, unknown>[] }).checks;
        seen.push({ method: 'CheckBatch', requestId: undefined, items });
        if (items.some((i) => i['model'] === 'm-bad'))
          throw new GrpcStatusError(GrpcCode.INVALID_ARGUMENT, 'checks[1].model: bad');
        return batchAnswer ? batchAnswer(items) : { decisions: items.map((i) => answerFor(i, ++n)) };
      }),
    ]);
    const port = await server.listen(0, '127.0.0.1');
    const client = new DecisionClient(`127.0.0.1:${port}`, 1_000);
    return {
      seen,
      client,
      close: async () => {
        client.close();
        await server.close(100);
      },
    };
  }

  const principal = { id: 'alice@company.com', type: 'user', roles: [], groups: [] } as const;
  const ask = (client: DecisionClient, model: string, requestId: string, traceparent?: string) =>
    client.check({ principal, model, operation: 'infer', ip: '10.0.0.1' }, { requestId, traceparent });
  const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('asks a check alone in its turn as Check, with its metadata', async () => {
    const s = await start();
    try {
      const result = await ask(s.client, 'm-allowed', 'r-alone');
      expect(result).toMatchObject({ allow: true, reason: 'allowed' });
      expect(s.seen).toMatchObject([{ method: 'Check', requestId: 'r-alone' }]);
    } finally {
      await s.close();
    }
  });

  it('sends the checks of one turn as one CheckBatch, each with its own request id and trace context, and answers each with its own decision', async () => {
    const s = await start();
    try {
      const results = await Promise.all([
        ask(s.client, 'm-allowed', 'r1', TP),
        ask(s.client, 'm-other', 'r2', 'not-a-traceparent'),
        ask(s.client, 'm-allowed', 'r3'),
      ]);
      expect(results.map((r) => r.allow)).toEqual([true, false, true]);
      expect(new Set(results.map((r) => r.decisionId)).size).toBe(3);
      expect(s.seen).toHaveLength(1);
      expect(s.seen[0]!.method).toBe('CheckBatch');
      expect(s.seen[0]!.items.map((i) => [i['model'], i['request_id'], i['traceparent']])).toEqual([
        ['m-allowed', 'r1', TP],
        ['m-other', 'r2', undefined],
        ['m-allowed', 'r3', undefined],
      ]);
    } finally {
      await s.close();
    }
  });

  it('asks each check of a refused batch alone, so that only the malformed one fails', async () => {
    const s = await start();
    try {
      const outcomes = await Promise.allSettled([
        ask(s.client, 'm-allowed', 'r1'),
        ask(s.client, 'm-bad', 'r2'),
        ask(s.client, 'm-other', 'r3'),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DecisionUnavailableError);
      expect(s.seen.map((c) => c.method)).toEqual(['CheckBatch', 'Check', 'Check', 'Check']);
      expect(s.seen.slice(1).map((c) => c.requestId)).toEqual(['r1', 'r2', 'r3']);
    } finally {
      await s.close();
    }
  });

  it('fails every check of a batch whose answer does not have one decision per check (closed)', async () => {
    const s = await start((items) => ({ decisions: items.slice(1).map((i, n) => answerFor(i, n)) }));
    try {
      const outcomes = await Promise.allSettled([
        ask(s.client, 'm-allowed', 'r1'),
        ask(s.client, 'm-allowed', 'r2'),
      ]);
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(DecisionUnavailableError);
      }
    } finally {
      await s.close();
    }
  });

  it('sends at most 64 checks in one call', async () => {
    const s = await start();
    try {
      const results = await Promise.all(
        Array.from({ length: 70 }, (_, i) => ask(s.client, 'm-allowed', `r${i}`)),
      );
      expect(results.every((r) => r.allow)).toBe(true);
      expect(s.seen.map((c) => [c.method, c.items.length])).toEqual([
        ['CheckBatch', 64],
        ['CheckBatch', 6],
      ]);
    } finally {
      await s.close();
    }
  });
});
