import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TOPIC_SPECS, TOPICS } from '@modelgate/contracts';
import { createTopic, infraEndpoints, readRecords, uniqueTopicName } from '@modelgate/testing';
import { createEnvelope, decodeEnvelope, encodeEnvelope } from './envelope-codec';
import { ensureTopics } from './ensure-topics';
import { createKafka } from './kafka-client';
import { SafeProducer } from './safe-producer';

describe('Kafka wiring against the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = createKafka({ brokers: infraEndpoints().kafkaBrokers, clientId: 'messaging-int-test' });
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(() => admin.disconnect());

  it('publishes envelopes through the idempotent producer and reads them back in order', async () => {
    const topic = uniqueTopicName('envelope');
    await createTopic(admin, topic);
    const producer = new SafeProducer(kafka);
    await producer.connect();
    const envelopes = [1, 2, 3].map((sequence) =>
      createEnvelope({
        type: 'acl.rules_replaced',
        schema: 1,
        stream: 'acl:qwen3-7b-chat',
        sequence,
        actor: { id: 'admin@company.com', type: 'user', ip: '127.0.0.1' },
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        data: { rules: [{ id: `r${sequence}` }] },
      }),
    );
    const acks = await producer.send(
      topic,
      envelopes.map((e) => encodeEnvelope(e, 'qwen3-7b-chat')),
    );
    await producer.disconnect();
    expect(acks[0]?.errorCode).toBe(0);

    const records = await readRecords(kafka, topic, 3);
    expect(records.map((r) => decodeEnvelope(r.message.value))).toEqual(envelopes);
    expect(records.map((r) => r.message.key?.toString())).toEqual([
      'qwen3-7b-chat',
      'qwen3-7b-chat',
      'qwen3-7b-chat',
    ]);
    expect(records[0]?.message.headers?.['event-type']?.toString()).toBe('acl.rules_replaced');
    expect(records[0]?.message.headers?.['traceparent']?.toString()).toBe(envelopes[0]?.traceparent);
  });

  it('has the Modelgate topics with the settings their roles imply', async () => {
    expect(await ensureTopics(admin, TOPIC_SPECS)).toEqual([]); // created by ./dev, so nothing is missing
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: TOPICS.policyState }],
    });
    const cleanup = resources[0]?.configEntries.find((c) => c.configName === 'cleanup.policy');
    expect(cleanup?.configValue).toBe('compact');
  });

  // patches/kafkajs@2.2.4.patch: upstream's request queue re-armed a 1 ms timer forever once a
  // request had completed (tulios/kafkajs#1556), ~5 % of a core per idle client and a timer
  // run on every turn of a busy event loop.
  it('leaves the event loop alone while a connected producer is idle', async () => {
    const topic = uniqueTopicName('idle');
    await createTopic(admin, topic);
    const producer = new SafeProducer(kafka);
    await producer.connect();
    try {
      await producer.send(topic, [{ key: 'k', value: 'v' }]);
      const wait = globalThis.setTimeout; // taken before the spy: the wait itself is not counted
      const timers = vi.spyOn(globalThis, 'setTimeout');
      await new Promise<void>((resolve) => wait(resolve, 500));
      const armed = timers.mock.calls.length;
      timers.mockRestore();
      expect(armed).toBeLessThan(10); // the bug: one a millisecond, ~500
    } finally {
      await producer.disconnect();
    }
  });
});
