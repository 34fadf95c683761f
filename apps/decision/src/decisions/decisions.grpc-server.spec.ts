import { describe, expect, it } from 'vitest';
import { GrpcCode } from '@modelgate/grpc-unary';
import { createLogger } from '@modelgate/telemetry';
import { DecisionError } from './decision.error';
import { decisionGrpcHandlers, decisionGrpcStatus } from './decisions.grpc-server';
import type { DecisionService } from './decision.service';

describe('the decision service over gRPC', () => {
  it('gives a DecisionError its status from the table, with its message', () => {
    const statusOf = decisionGrpcStatus(createLogger('test', 'silent'));
    const path = '/modelgate.decision.v1.DecisionService/Check';
    expect(statusOf(new DecisionError('invalid_request', 'model: expected a string'), path)).toEqual({
      code: GrpcCode.INVALID_ARGUMENT,
      message: 'model: expected a string',
    });
    expect(statusOf(new DecisionError('policy_stale', 'policy is 40 s old'), path).code).toBe(
      GrpcCode.UNAVAILABLE,
    );
  });

  it('answers any other error INTERNAL without its detail', () => {
    const statusOf = decisionGrpcStatus(createLogger('test', 'silent'));
    expect(statusOf(new Error('/secret/path'), '/x')).toEqual({
      code: GrpcCode.INTERNAL,
      message: 'internal error',
    });
  });

  it('serves the four methods of the proto, passing the request id and trace context on', async () => {
    const seen: unknown[] = [];
    const decisions = {
      check: (request: unknown, meta: unknown) => (
        seen.push(request, meta),
        Promise.resolve({ decision_id: 'd' })
      ),
    } as unknown as DecisionService;
    const handlers = decisionGrpcHandlers(decisions);
    expect(handlers.map((h) => h.path)).toEqual([
      '/modelgate.decision.v1.DecisionService/Check',
      '/modelgate.decision.v1.DecisionService/CheckBatch',
      '/modelgate.decision.v1.DecisionService/ListVisibleModels',
      '/modelgate.decision.v1.DecisionService/Explain',
    ]);
    const check = handlers[0]!;
    const request = check.deserialize(
      Buffer.from([0x12, 0x01, 0x6d]), // model = "m"
    );
    await check.handle(request, { 'x-request-id': 'r-1', traceparent: 'x'.repeat(257) });
    expect(seen[0]).toEqual({ model: 'm' });
    expect(seen[1]).toMatchObject({ requestId: 'r-1', traceparent: null });
  });
});
