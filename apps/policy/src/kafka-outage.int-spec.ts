// The broker goes away during a burst of writes and comes back. The shared broker keeps
// running (other suites use it): the relay's Kafka client reaches it through a TCP proxy
// that this test owns, and cutting the proxy resets every connection and refuses new
// ones, a real network failure as the client sees it. kafkajs's socketFactory sends every
// connection (bootstrap and the broker the metadata names) through the proxy; that holds
// for the single dev broker, which is all the proxy forwards to.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@modelgate/auth';
import { loadConfig } from '@modelgate/config';
import { createKafka, SafeProducer } from '@modelgate/messaging';
import { createServiceApp, KafkaOutboxPublisher } from '@modelgate/service-kit';
import { createLogger } from '@modelgate/telemetry';
import {
  createTestDatabase,
  createTopic,
  CuttableProxy,
  kafkaThroughProxy,
  hostPort,
  infraEndpoints,
  uniqueTopicName,
  type TestDatabase,
} from '@modelgate/testing';
import { policyConfigSchema } from './config';
import { policyModules } from './policy.modules';

const ADMIN: Principal = {
  id: 'admin@company.com',
  type: 'user',
  roles: ['acl-admin'],
  groups: [],
  credential: { kind: 'oidc_token', issuer: 'test' },
};
const MODELS = ['outage-a', 'outage-b', 'outage-c'];
const BURST = 12;

describe('outbox relay through a Kafka outage', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let proxy: CuttableProxy;
  let producer: SafeProducer;
  const topics = { events: uniqueTopicName('outage-events'), state: uniqueTopicName('outage-state') };
  const brokers = infraEndpoints().kafkaBrokers;

  beforeAll(async () => {
    db = await createTestDatabase();
    const admin = createKafka({ brokers, clientId: 'outage-test' }).admin();
    await admin.connect();
    await createTopic(admin, topics.events, 3);
    await createTopic(admin, topics.state, 3, { 'cleanup.policy': 'compact' });
    await admin.disconnect();

    proxy = new CuttableProxy(hostPort(brokers[0]!));
    await proxy.start();
    const viaProxy = kafkaThroughProxy(proxy, 'policy-relay-via-proxy');
    producer = new SafeProducer(viaProxy);
    await producer.connect();

    const config = loadConfig(policyConfigSchema, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers.join(','),
      POLICY_EVENTS_TOPIC: topics.events,
      POLICY_STATE_TOPIC: topics.state,
      OUTBOX_POLL_MS: '100',
      OUTBOX_PUBLISH_TIMEOUT_MS: '300',
      OUTBOX_BATCH_SIZE: '7',
    });
    app = await createServiceApp({
      name: 'policy',
      config,
      imports: policyModules(config, {
        outboxPublisher: new KafkaOutboxPublisher(producer),
        authenticator: { authenticate: () => Promise.resolve(ADMIN) },
      }),
      logger: createLogger('policy', 'silent'),
    });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await producer?.disconnect().catch(() => undefined);
    await proxy?.close();
    await db?.drop();
  });

  const write = (model: string, i: number) =>
    app.inject({
      method: 'PUT',
      url: `/v1/acl/models/${model}`,
      payload: {
        rules: [
          { id: `r${i}`, principal: { type: 'user', value: `u${i}@company.com` }, operations: ['infer'] },
        ],
      },
    });
  const lag = async () =>
    Number(
      /^modelgate_outbox_unpublished_rows (\d+)$/m.exec((await app.inject({ url: '/metrics' })).body)?.[1],
    );

  it('accepts writes while the broker is unreachable and delivers every event, in order per model, once restored', async () => {
    for (const model of MODELS) expect((await write(model, 0)).statusCode).toBe(200);
    proxy.cut();
    // The burst: every model's writes in order, the models concurrently.
    const results = await Promise.all(
      MODELS.map(async (model) => {
        const statuses: number[] = [];
        for (let i = 1; i <= BURST; i += 1) statuses.push((await write(model, i)).statusCode);
        return statuses;
      }),
    );
    expect(results.flat().every((s) => s === 200)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await lag()).toBeGreaterThan(0);
    proxy.restore();

    // A consumer that dedupes by event id and applies each stream in sequence.
    const expected = MODELS.length * (BURST + 1);
    const consumer = createKafka({ brokers, clientId: 'outage-consumer' }).consumer({
      groupId: uniqueTopicName('outage-group'),
    });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.events, fromBeginning: true });
    const applied = new Map<string, number[]>();
    const seen = new Set<string>();
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`applied ${seen.size}/${expected} events`)), 40_000);
      void consumer.run({
        eachMessage: ({ message }) => {
          received += 1;
          const envelope = JSON.parse(message.value!.toString()) as { id: string; sequence: number };
          if (seen.has(envelope.id)) return Promise.resolve();
          seen.add(envelope.id);
          const key = message.key!.toString();
          applied.set(key, [...(applied.get(key) ?? []), envelope.sequence]);
          if (seen.size === expected) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    for (const model of MODELS)
      expect(applied.get(model)).toEqual(Array.from({ length: BURST + 1 }, (_, i) => i + 1));
    expect(received).toBeGreaterThanOrEqual(expected);
    const deadline = Date.now() + 10_000;
    while ((await lag()) > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await lag()).toBe(0);
  });
});
