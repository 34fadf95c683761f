import { describe, expect, it } from 'vitest';
import {
  ACKS_ALL,
  SAFE_PRODUCER_CONFIG,
  UnsafeProducerConfigError,
  assertSafeProducer,
} from './safe-producer';
import { createEnvelope, decodeEnvelope, encodeEnvelope } from './envelope-codec';

describe('assertSafeProducer', () => {
  it('accepts the shared config', () => {
    expect(() => assertSafeProducer(SAFE_PRODUCER_CONFIG, ACKS_ALL)).not.toThrow();
  });
  it('refuses a non-idempotent producer, weaker acks, or reordering in-flight requests', () => {
    expect(() => assertSafeProducer({ ...SAFE_PRODUCER_CONFIG, idempotent: false }, ACKS_ALL)).toThrow(
      UnsafeProducerConfigError,
    );
    expect(() => assertSafeProducer(SAFE_PRODUCER_CONFIG, 1)).toThrow(/acks=1/);
    expect(() => assertSafeProducer({ ...SAFE_PRODUCER_CONFIG, maxInFlightRequests: 5 }, ACKS_ALL)).toThrow(
      /in-flight/,
    );
  });
});

describe('envelope codec', () => {
  it('round-trips an envelope with its headers', () => {
    const envelope = createEnvelope({
      type: 'acl.rules_replaced',
      schema: 1,
      stream: 'acl:qwen3-7b-chat',
      sequence: 1,
      actor: { id: 'admin@company.com', type: 'user', ip: '127.0.0.1' },
      data: { rules: [] },
    });
    const message = encodeEnvelope(envelope, 'qwen3-7b-chat');
    expect(message.key).toBe('qwen3-7b-chat');
    expect(message.headers).toMatchObject({ 'event-type': 'acl.rules_replaced', 'event-schema': '1' });
    expect(decodeEnvelope(Buffer.from(message.value as string))).toEqual(envelope);
  });
  it('refuses tombstones and malformed values', () => {
    expect(() => decodeEnvelope(null)).toThrow(/tombstone/);
    expect(() => decodeEnvelope(Buffer.from('{"id":1}'))).toThrow(/invalid event envelope/);
  });
});
