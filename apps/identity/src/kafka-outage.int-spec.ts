// Kafka goes away while identity commits changes, and comes back. The shared broker keeps
// running (other suites use it): identity's outbox relay reaches it through a TCP proxy this
// test owns, and cutting the proxy resets every connection and refuses new ones. The API must
// go on answering, and once the broker is back every event must arrive exactly once, in
// sequence order per principal.
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafeProducer } from '@modelgate/messaging';
import {
  createTestDatabase,
  CuttableProxy,
  hostPort,
  infraEndpoints,
  kafkaThroughProxy,
  uniqueTopicName,
  type TestDatabase,
} from '@modelgate/testing';
import { KafkaOutboxPublisher } from '@modelgate/service-kit';
import { startIdentity, TopicRecorder, type TestApp } from './testing/identity-test-app';

describe('identity events through a Kafka outage', () => {
  const topic = uniqueTopicName('identity-outage');
  const recorder = new TopicRecorder(topic);
  let db: TestDatabase;
  let proxy: CuttableProxy;
  let producer: SafeProducer;
  let identity: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    await recorder.start();
    proxy = new CuttableProxy(hostPort(infraEndpoints().kafkaBrokers[0]!));
    await proxy.start();
    producer = new SafeProducer(kafkaThroughProxy(proxy, 'identity-relay-via-proxy'));
    await producer.connect();
    identity = await startIdentity(
      db.url,
      topic,
      { OUTBOX_PUBLISH_TIMEOUT_MS: '300', OUTBOX_BATCH_SIZE: '3' },
      { outboxPublisher: new KafkaOutboxPublisher(producer) },
    );
  });
  afterAll(async () => {
    await identity?.app.close();
    await producer?.disconnect().catch(() => undefined);
    await proxy?.close();
    await recorder.stop();
    await db?.drop();
  });

  const unpublished = async () => {
    const rows: { n: number }[] = await identity.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    return rows[0]!.n;
  };
  /** Key events only: the role mapping announced at start is not part of this test. */
  const keyEvents = () => recorder.events.filter((e) => e.type.startsWith('identity.key_'));

  it('commits keys while Kafka is unreachable and publishes every event once it is back, in order per principal', async () => {
    const users = [
      ['alice', 'alice-password', 'alice@company.com'],
      ['bob', 'bob-password', 'bob@company.com'],
    ] as const;
    const tokens = await Promise.all(users.map(([u, p]) => identity.login(u, p)));
    // Relay delivers the first key before the outage: the path works.
    expect((await identity.request('POST', '/v1/keys', tokens[0], { name: 'before' })).statusCode).toBe(201);
    await recorder.waitFor((e) => e.type === 'identity.key_created' && e.data['name'] === 'before');

    proxy.cut();
    // Per user: create 4 keys and revoke 2 of them, the users concurrently.
    const results = await Promise.all(
      tokens.map(async (token) => {
        const statuses: number[] = [];
        const ids: string[] = [];
        for (let i = 0; i < 4; i += 1) {
          const res = await identity.request('POST', '/v1/keys', token, { name: `during-${i}` });
          statuses.push(res.statusCode);
          ids.push(res.json<{ id: string }>().id);
        }
        for (const id of ids.slice(0, 2))
          statuses.push((await identity.request('DELETE', `/v1/keys/${id}`, token)).statusCode);
        return statuses;
      }),
    );
    expect(results).toEqual([
      [201, 201, 201, 201, 200, 200],
      [201, 201, 201, 201, 200, 200],
    ]);
    await new Promise((r) => setTimeout(r, 1_500));
    // Committed, not published: nothing from the outage has reached the topic.
    expect(await unpublished()).toBe(12);
    expect((await identity.request('GET', '/metrics')).body).toMatch(
      /^modelgate_outbox_unpublished_rows 12$/m,
    );
    expect(keyEvents()).toHaveLength(1);

    proxy.restore();
    const expected = 1 + 12;
    const deadline = Date.now() + 40_000;
    while (keyEvents().length < expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    // Late duplicates would arrive after the last new one: give them a moment.
    await new Promise((r) => setTimeout(r, 1_000));
    const ids = keyEvents().map((e) => e.id);
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected); // no duplicate envelope
    for (const [, , mail] of users) {
      const sequences = keyEvents()
        .filter((e) => e.key === mail)
        .map((e) => e.sequence);
      expect(sequences).toEqual([...sequences].sort((x, y) => x - y));
      expect(new Set(sequences).size).toBe(sequences.length);
    }
    expect(
      keyEvents()
        .filter((e) => e.key === 'bob@company.com')
        .map((e) => e.type),
    ).toEqual([
      ...Array<string>(4).fill('identity.key_created'),
      'identity.key_revoked',
      'identity.key_revoked',
    ]);
    const settle = Date.now() + 10_000;
    while ((await unpublished()) > 0 && Date.now() < settle) await new Promise((r) => setTimeout(r, 100));
    expect(await unpublished()).toBe(0);
    const metrics = (await identity.request('GET', '/metrics')).body;
    expect(metrics).toMatch(/^modelgate_outbox_unpublished_rows 0$/m);
    expect(metrics).toMatch(/^modelgate_outbox_relay_leader 1$/m);
    expect(Number(/^modelgate_outbox_published_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(13);
  });
});
