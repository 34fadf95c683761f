import { describe, expect, it } from 'vitest';
import { InvalidEnvelopeError, parseEventEnvelope } from './event-envelope';
import { deadLetterTopic, TOPIC_SPECS, TOPICS } from './topics';

const valid = {
  id: '0b6f1c7e-3f7e-4d55-9d7a-6c1b1f0e2a11',
  type: 'acl.rules_replaced',
  schema: 1,
  stream: 'acl:qwen3-7b-chat',
  sequence: 3,
  occurred_at: '2026-12-01T10:00:00.000Z',
  actor: { id: 'admin@company.com', type: 'user', ip: '10.0.0.5' },
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  data: { rules: [] },
};

describe('event envelope', () => {
  it('accepts the ARCHITECTURE.md envelope', () => {
    expect(parseEventEnvelope(valid)).toEqual(valid);
  });

  it('names each bad field', () => {
    const bad = { ...valid, id: 'nope', type: 'RulesReplaced', sequence: 0, stream: 'qwen3' };
    try {
      parseEventEnvelope(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidEnvelopeError);
      const fields = (e as InvalidEnvelopeError).problems.map((p) => p.split(':')[0]);
      expect(fields).toEqual(expect.arrayContaining(['id', 'type', 'sequence', 'stream']));
    }
  });

  it('rejects a missing actor and a non-object data', () => {
    const { actor: _actor, ...noActor } = valid;
    expect(() => parseEventEnvelope(noActor)).toThrow(/actor/);
    expect(() => parseEventEnvelope({ ...valid, data: 'x' })).toThrow(/data/);
  });
});

describe('topics', () => {
  it('compacts the policy state topic and only it', () => {
    const compacted = TOPIC_SPECS.filter((t) => t.config['cleanup.policy'] === 'compact').map((t) => t.name);
    expect(compacted).toEqual([TOPICS.policyState]);
  });

  it('derives dead-letter topics per consumer', () => {
    expect(deadLetterTopic(TOPICS.decisions, 'audit')).toBe('modelgate.decisions.v1.dlq.audit');
  });
});
