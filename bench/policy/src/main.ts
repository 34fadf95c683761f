// Policy write path under load, against the dev Postgres, Kafka and OIDC provider, in two
// phases with the same load (W concurrent writers over S models for D seconds each):
//  1. event store: appends with outbox rows straight into Postgres, relayed to a fresh topic
//     pair (./event-store-bench.ts); lag = commit -> broker ack.
//  2. policy service: the built service process over REST, `PUT /v1/acl/models/{model}` with
//     a real acl-admin token (./service-bench.ts); lag = PUT's 2xx -> record at a consumer.
// Prints writes/s, HTTP latency p50/p99 and outbox publish lag p50/p99 side by side.
// Run: pnpm --filter @modelgate/bench-policy bench   (BENCH_WRITERS, BENCH_STREAMS, BENCH_SECONDS,
// BENCH_PHASES=event-store,service)
import { infraEndpoints } from '@modelgate/testing';
import { benchEventStore, type EventStoreBenchResult } from './event-store-bench';
import type { BenchLoad } from './load';
import { benchService, type ServiceBenchResult } from './service-bench';
import { loadAverage, machine, maximum, ms, percentile, table } from './stats';

const LOAD: BenchLoad = {
  writers: Number(process.env['BENCH_WRITERS'] ?? 16),
  streams: Number(process.env['BENCH_STREAMS'] ?? 200),
  seconds: Number(process.env['BENCH_SECONDS'] ?? 10),
};
const PHASES = new Set(
  (process.env['BENCH_PHASES'] ?? 'event-store,service').split(',').map((p) => p.trim()),
);

function column(
  store: EventStoreBenchResult | undefined,
  service: ServiceBenchResult | undefined,
): string[][] {
  const errors = service === undefined ? 0 : [...service.errors.values()].reduce((a, b) => a + b, 0);
  const errorList =
    service === undefined
      ? ''
      : [...service.errors].map(([status, n]) => `${n}x${status || 'net'}`).join(' ');
  const s = <T>(f: (r: ServiceBenchResult) => T, fallback = '-') =>
    service === undefined ? fallback : String(f(service));
  const e = <T>(f: (r: EventStoreBenchResult) => T, fallback = '-') =>
    store === undefined ? fallback : String(f(store));
  return [
    ['', 'event store (direct)', 'policy service (REST)'],
    [
      'writes/s',
      e((r) => (r.writes / r.elapsedSeconds).toFixed(0)),
      s((r) => (r.writes / r.elapsedSeconds).toFixed(0)),
    ],
    ['writes (events appended)', e((r) => r.writes), s((r) => r.writes)],
    ['version conflicts retried', e((r) => r.conflicts), s((r) => `${r.conflicts} (412)`)],
    [
      '2xx without change / errors',
      '-',
      s((r) => `${r.unchanged} / ${errors}${errorList ? ` (${errorList})` : ''}`),
    ],
    ['HTTP latency p50', '-', s((r) => ms(percentile(r.latenciesMs, 0.5)))],
    ['HTTP latency p99', '-', s((r) => ms(percentile(r.latenciesMs, 0.99)))],
    ['HTTP latency max', '-', s((r) => ms(maximum(r.latenciesMs)))],
    ['outbox publish lag p50', e((r) => ms(r.lag.p50)), s((r) => ms(percentile(r.lagsMs, 0.5)))],
    ['outbox publish lag p99', e((r) => ms(r.lag.p99)), s((r) => ms(percentile(r.lagsMs, 0.99)))],
    ['outbox publish lag max', e((r) => ms(r.lag.max)), s((r) => ms(maximum(r.lagsMs)))],
    ['  lag measured from -> to', 'commit -> Kafka ack', 'PUT 2xx -> consumer'],
    [
      '  lag samples (missing)',
      e((r) => `${r.lag.rows} outbox rows`),
      s((r) => `${r.lagsMs.length} events (${r.missing})`),
    ],
    ['  record before the 2xx', '-', s((r) => r.lagsMs.filter((l) => l < 0).length)],
    [
      'CPU during writes (cores)',
      '-',
      s((r) => `svc ${r.serviceCpuCores?.toFixed(2) ?? '?'}, bench ${r.benchCpuCores.toFixed(2)}`),
    ],
    [
      'drained after last write',
      e((r) => `${r.drainedSeconds.toFixed(2)} s`),
      s((r) => `${r.drainedSeconds.toFixed(2)} s`),
    ],
  ];
}

async function main(): Promise<void> {
  const infra = infraEndpoints();
  const loadBefore = loadAverage();
  const store = PHASES.has('event-store') ? await benchEventStore(LOAD) : undefined;
  const loadBetween = loadAverage();
  const service = PHASES.has('service') ? await benchService(LOAD) : undefined;
  const loadAfter = loadAverage();

  process.stdout.write(
    [
      `machine: ${machine()}; load average ${loadBefore} (start), ${loadBetween} (after event store), ${loadAfter} (end)`,
      `infra: Postgres ${new URL(infra.databaseUrl).host}, Kafka ${infra.kafkaBrokers.join(',')}${service ? `, policy service ${service.serviceUrl} (apps/policy/dist/main.js)` : ''}`,
      `load: ${LOAD.writers} writers, ${LOAD.streams} models, ${LOAD.seconds} s per phase; event store: 1 event + 2 outbox rows per write; service: PUT /v1/acl/models/{model} with If-Match, keep-alive`,
      '',
      table(column(store, service)),
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
