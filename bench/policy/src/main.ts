// Policy write path under load, against the dev Postgres and Kafka: W concurrent writers
// append one event per write (with its two outbox rows: event + state, as the policy
// service writes them) to S streams for D seconds, while the outbox relay publishes to a
// fresh topic pair through the idempotent producer. Prints writes/s and the outbox
// publish lag (commit → broker ack, from `outbox.created_at` to `published_at`) p50/p99.
// Run: pnpm --filter @modelgate/bench-policy bench   (BENCH_WRITERS, BENCH_STREAMS, BENCH_SECONDS)
import { cpus, totalmem } from 'node:os';
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

const WRITERS = Number(process.env['BENCH_WRITERS'] ?? 16);
const STREAMS = Number(process.env['BENCH_STREAMS'] ?? 200);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);

const DOCUMENT = {
  model: 'bench',
  mode: 'enforce',
  rules: [
    {
      id: 'researchers',
      effect: 'allow',
      principal: { type: 'role', value: 'researcher' },
      operations: ['infer', 'view'],
      conditions: { ip_range: ['10.0.0.0/8'], rate_limit: '100 req/min' },
    },
    {
      effect: 'allow',
      principal: { type: 'user', value: 'alice@company.com' },
      operations: ['infer', 'train', 'download'],
    },
  ],
};

async function main(): Promise<void> {
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

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      `machine: ${cpus().length} x ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; Postgres ${new URL(infra.databaseUrl).host}, Kafka ${infra.kafkaBrokers.join(',')}`,
      `load: ${WRITERS} writers, ${STREAMS} streams, ${SECONDS} s; each write = 1 event + 2 outbox rows in one transaction`,
      `policy writes/s: ${(writes / elapsed).toFixed(0)} (${writes} writes, ${conflicts} version conflicts retried)`,
      `outbox publish lag (commit -> Kafka ack, ${lag!.rows} rows): p50 ${lag!.p50.toFixed(1)} ms, p99 ${lag!.p99.toFixed(1)} ms, max ${lag!.max.toFixed(1)} ms; drained ${(drained - elapsed).toFixed(2)} s after the last write`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
