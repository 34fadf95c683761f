import { randomUUID } from 'node:crypto';

/**
 * The fields of a decision record as the contract defines them (Alice, allowed, a fresh id
 * and time), with `overrides` on top; not validated, so a test can also build one the
 * service must refuse.
 */
export function decisionRecordFields(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 1,
    decision_id: randomUUID(),
    time: new Date().toISOString(),
    request_id: `req-${randomUUID()}`,
    trace_id: null,
    principal: { id: 'alice@company.com', type: 'user', roles: ['researcher'], groups: ['researchers'] },
    model: 'qwen3-7b-chat',
    operation: 'infer',
    source_ip: '10.0.0.1',
    allow: true,
    reason: 'allowed',
    rule_id: 'researchers',
    policy_version: 1,
    shadow: null,
    detail: null,
    latency_us: 50,
    replica: 'test',
    ...overrides,
  };
}
