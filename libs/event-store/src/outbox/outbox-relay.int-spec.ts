import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@modelgate/testing';
import { openDataSource } from '../data-source';
import { EVENT_STORE_MIGRATIONS } from '../index';
import { PostgresEventStore } from '../postgres-event-store';
import { outboxLag } from './outbox-lag';
import type { OutboxPublisher, RelayedMessage } from './outbox-publisher.port';
import { OutboxRelay } from './outbox-relay';

/** A broker stand-in that records what it was sent; it can be told to hang. */
class RecordingPublisher implements OutboxPublisher {
  readonly sent: { topic: string; message: RelayedMessage }[] = [];
  hang = false;
  publish(topic: string, messages: readonly RelayedMessage[]): Promise<void> {
    if (this.hang) return new Promise(() => undefined);
    for (const message of messages) this.sent.push({ topic, message });
    return Promise.resolve();
  }
  valuesOf(topic: string): { key: string; n: number }[] {
    return this.sent
      .filter((s) => s.topic === topic)
      .map((s) => ({ key: s.message.key, n: (JSON.parse(s.message.value!) as { n: number }).n }));
  }
}

describe('OutboxRelay', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: PostgresEventStore;
  const relays: OutboxRelay[] = [];

  const relay = (
    publisher: OutboxPublisher,
    extra: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {},
  ) => {
    const r = new OutboxRelay({
      connectionString: db.url,
      schema: 'es',
      publisher,
      idlePollMs: 50,
      retryDelayMs: 50,
      publishTimeoutMs: 100,
      ...extra,
    });
    relays.push(r);
    return r;
  };
  const append = (stream: string, expected: number, n: number, tombstone = false) =>
    store.append(stream, expected, [{ type: 'test.happened', schemaVersion: 1, data: { n } }], {
      outbox: ([e]) => [
        { eventId: e!.id, topic: 'events', key: stream, payload: { n }, headers: { 'event-id': e!.id } },
        { eventId: e!.id, topic: 'state', key: stream, payload: tombstone ? null : { n } },
      ],
    });
  const until = async (condition: () => boolean | Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, schema: 'es', migrations: EVENT_STORE_MIGRATIONS, poolSize: 6 });
    await ds.runMigrations({ transaction: 'each' });
    store = new PostgresEventStore(ds);
  });
  beforeEach(async () => {
    await ds.query(`UPDATE outbox SET published_at = now() WHERE published_at IS NULL`);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('relays every row once, per topic in stream order, tombstones as null, and reports no lag after', async () => {
    const publisher = new RecordingPublisher();
    for (let n = 1; n <= 5; n += 1) await append('s:a', n - 1, n, n === 5);
    expect(await outboxLag(ds)).toMatchObject({ unpublished: 10 });
    const r = relay(publisher);
    r.start();
    await until(() => publisher.sent.length === 10);
    expect(publisher.valuesOf('events')).toEqual([1, 2, 3, 4, 5].map((n) => ({ key: 's:a', n })));
    expect(publisher.sent.filter((s) => s.topic === 'state').at(-1)?.message.value).toBeNull();
    await until(async () => (await outboxLag(ds)).unpublished === 0);
    expect(r.stats).toMatchObject({ leader: true, published: 10 });
  });

  it('wakes on commit (NOTIFY) rather than waiting for the poll', async () => {
    const publisher = new RecordingPublisher();
    const r = relay(publisher, { idlePollMs: 60_000 });
    r.start();
    await until(() => r.stats.leader);
    const started = Date.now();
    await append('s:notify', 0, 1);
    await until(() => publisher.sent.length === 2, 5_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not skip a row whose transaction commits after a higher id was relayed', async () => {
    const publisher = new RecordingPublisher();
    const r = relay(publisher);
    // Transaction A takes outbox ids first but commits last.
    const slow = new Client({ connectionString: db.url, options: '-c search_path=es' });
    await slow.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(
        `INSERT INTO events (id, stream_id, sequence, type, schema_version, data) VALUES (gen_random_uuid(), 's:slow', 1, 'test.happened', 1, '{"n":1}')`,
      );
      await slow.query(
        `INSERT INTO outbox (event_id, stream_id, sequence, topic, message_key, payload)
         SELECT id, stream_id, sequence, 'events', 's:slow', data FROM events WHERE stream_id = 's:slow'`,
      );
      await append('s:fast', 0, 1);
      r.start();
      await until(() => publisher.sent.length === 2);
      expect(publisher.sent.map((s) => s.message.key)).toEqual(['s:fast', 's:fast']);
      await slow.query('COMMIT');
    } finally {
      await slow.end();
    }
    await until(() => publisher.sent.length === 3);
    expect(publisher.sent[2]?.message.key).toBe('s:slow');
    await until(async () => (await outboxLag(ds)).unpublished === 0);
  });

  it('relays from one replica only, and another takes over when the leader stops', async () => {
    const a = new RecordingPublisher();
    const b = new RecordingPublisher();
    const first = relay(a);
    const second = relay(b);
    first.start();
    await until(() => first.stats.leader);
    second.start();
    for (let n = 1; n <= 20; n += 1) await append('s:replicas', n - 1, n);
    await until(() => a.sent.length === 40);
    expect(second.stats.leader).toBe(false);
    expect(b.sent).toHaveLength(0);
    await first.stop();
    await append('s:replicas', 20, 21);
    await until(() => b.sent.length === 2);
    expect(b.valuesOf('events')).toEqual([{ key: 's:replicas', n: 21 }]);
  });

  it('re-sends a batch when the relay dies between the broker ack and the marking', async () => {
    const publisher = new RecordingPublisher();
    const dying = relay(publisher, {
      afterPublish: () => Promise.reject(new Error('killed before marking')),
    });
    for (let n = 1; n <= 3; n += 1) await append('s:crash', n - 1, n);
    await expect(dying.tick()).rejects.toThrow('killed before marking');
    await dying.stop(); // its session ends: the lock is free, the rows are still unmarked
    expect(publisher.sent).toHaveLength(6);
    expect((await outboxLag(ds)).unpublished).toBe(6);

    const successor = relay(publisher);
    expect(await successor.tick()).toBe('published');
    expect(publisher.valuesOf('events').map((v) => v.n)).toEqual([1, 2, 3, 1, 2, 3]);
    expect((await outboxLag(ds)).unpublished).toBe(0);
  });

  it('bounds its wait on a broker that does not answer, and delivers once it does', async () => {
    const publisher = new RecordingPublisher();
    publisher.hang = true;
    const r = relay(publisher, { resendAfterMs: 300 });
    await append('s:hang', 0, 1);
    const started = Date.now();
    expect(await r.tick()).toBe('waiting_for_broker');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await outboxLag(ds)).unpublished).toBe(2);
    publisher.hang = false;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await r.tick()).toBe('waiting_for_broker'); // gives up on the hung send...
    expect(await r.tick()).toBe('published'); // ...and sends the batch again
    expect((await outboxLag(ds)).unpublished).toBe(0);
  });
});
