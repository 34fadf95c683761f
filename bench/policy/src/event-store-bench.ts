// The event store directly: W concurrent writers append one event per write (with its two
// outbox rows: event + state, as the policy service writes them) to S streams for D seconds,
// while the outbox relay publishes to a fresh topic pair through the idempotent producer.
// Lag = commit -> broker ack, from `outbox.created_at` to `published_at`.
import {
  ConcurrencyError,
  EVENT_STORE_MIGRATIONS,
  OutboxRelay,
  PostgresEventStore,
  openDataSource,
  outboxLag,
} from '@modelgate/event-store';
import { SafeProducer, createKafka } from '@modelgate/messaging';
import { createTestDatabase, createTopic, infraEndpoints, uniqueTopicName } from '@modelgate/testing';
import { DOCUMENT, type BenchLoad } from './load';

export interface EventStoreBenchResult {
  readonly writes: number;
  readonly conflicts: number;
  readonly elapsedSeconds: number;
  readonly drainedSeconds: number;
  readonly lag: { readonly p50: number; readonly p99: number; readonly max: number; readonly rows: number };
}

export async function benchEventStore(load: BenchLoad): Promise<EventStoreBenchResult> {
  const { writers: WRITERS, streams: STREAMS, seconds: SECONDS } = load;
  const infra = infraEndpoints();
  const db = await createTestDatabase();
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: 'bench-policy' });
  const topics = {
    events: uniqueTopicName('bench-policy-events'),
    state: uniqueTopicName('bench-policy-state'),
  };
  const admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, topics.events, 3);
  await createTopic(admin, topics.state, 3, { 'cleanup.policy': 'compact' });
  await admin.disconnect();
  const producer = new SafeProducer(kafka);
  await producer.connect();
  const ds = await openDataSource({
    url: db.url,
    schema: 'policy',
    migrations: EVENT_STORE_MIGRATIONS,
    poolSize: WRITERS + 2,
  });
  await ds.runMigrations({ transaction: 'each' });
  const store = new PostgresEventStore(ds);
  const relay = new OutboxRelay({
    connectionString: db.url,
    schema: 'policy',
    publisher: {
      publish: async (topic, messages) =>
        void (await producer.send(
          topic,
          messages.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
        )),
    },
  });
  relay.start();

  const versions = new Array<number>(STREAMS).fill(0);
  let writes = 0;
  let conflicts = 0;
  const deadline = Date.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = w; Date.now() < deadline; i += WRITERS) {
        const s = i % STREAMS;
        const pattern = `bench-${s}`;
        try {
          const result = await store.append(
            `acl:${pattern}`,
            versions[s]!,
            [
              {
                type: 'acl.rules_replaced',
                schemaVersion: 1,
                data: { mode: 'enforce', document: { ...DOCUMENT, model: pattern } },
                metadata: { actor: { id: 'bench', type: 'user' } },
              },
            ],
            {
              outbox: ([e]) => [
                {
                  eventId: e!.id,
                  topic: topics.events,
                  key: pattern,
                  payload: { id: e!.id, sequence: e!.sequence, data: e!.data },
                  headers: { 'event-type': e!.type },
                },
                {
                  eventId: e!.id,
                  topic: topics.state,
                  key: pattern,
                  payload: { model: pattern, version: e!.sequence, enforce: e!.data['document'] },
                },
              ],
            },
          );
          versions[s] = result.version;
          writes += 1;
        } catch (error) {
          if (!(error instanceof ConcurrencyError)) throw error;
          conflicts += 1;
          versions[s] = await store.streamVersion(`acl:${pattern}`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  while ((await outboxLag(ds)).unpublished > 0) await new Promise((r) => setTimeout(r, 100));
  const drained = (performance.now() - started) / 1000;
  const [lag] = await ds.query<{ p50: number; p99: number; max: number; rows: number }[]>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max, count(*)::int AS rows
     FROM (SELECT (extract(epoch FROM published_at - created_at) * 1000)::float8 AS ms FROM outbox) t`,
  );
  await relay.stop();
  await producer.disconnect();
  await ds.destroy();
  await db.drop();
  return { writes, conflicts, elapsedSeconds: elapsed, drainedSeconds: drained - elapsed, lag: lag! };
}
