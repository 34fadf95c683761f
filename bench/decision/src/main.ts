// Decision service benchmark (Modelgate only; see README for what is not measured yet):
//  1. checks/s over gRPC and REST at 1k and 100k rules: max (closed loop), then p50/p99 at 50 % of max;
//  2. propagation: a policy change published to the state topic until visible on 2 replicas;
//  3. cold start: spawn to ready with 10k models / 100k rules in the state topic.
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { grpcClient, restClient, type Call } from './clients';
import { latencyAtRate, maxThroughput } from './load';
import { checkRequest, generatePolicy, type GeneratedPolicy } from './policy-set';
import { ROOT, startReplica } from './replica';
import { summary } from './stats';

const BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 8_000);
const CHANGES = Number(process.env['BENCH_CHANGES'] ?? 200);
const kafka = new Kafka({ brokers: BROKERS, clientId: 'bench-decision', logLevel: logLevel.NOTHING });
const created: string[] = [];

async function topics(tag: string): Promise<Record<string, string>> {
  const id = `${tag}.${randomBytes(4).toString('hex')}`;
  const t = {
    POLICY_STATE_TOPIC: `bench.decision.state.${id}`,
    POLICY_EVENTS_TOPIC: `bench.decision.events.${id}`,
    IDENTITY_EVENTS_TOPIC: `bench.decision.identity.${id}`,
    DECISIONS_TOPIC: `bench.decision.records.${id}`,
    POLICY_DLQ_TOPIC: `bench.decision.pdlq.${id}`,
    IDENTITY_DLQ_TOPIC: `bench.decision.idlq.${id}`,
  };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: Object.values(t).map((topic) => ({
      topic,
      numPartitions: 3,
      configEntries: topic === t.POLICY_STATE_TOPIC ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
    })),
  });
  await admin.disconnect();
  created.push(...Object.values(t));
  return t;
}

async function publishPolicy(topic: string, policy: GeneratedPolicy, version = 1): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const updated = new Date().toISOString();
  for (let i = 0; i < policy.documents.length; i += 1000) {
    await producer.send({
      topic,
      messages: policy.documents.slice(i, i + 1000).map((doc) => ({
        key: doc.model,
        value: JSON.stringify({
          model: doc.model,
          version,
          enforce: doc,
          shadow: null,
          updated_at: updated,
        }),
      })),
    });
  }
  await producer.disconnect();
}

let port = 3900;
const nextPorts = () => [port++, 50900 + (port - 3900)] as const;

async function throughput(label: string, models: number, rulesPerModel: number) {
  const policy = generatePolicy(models, rulesPerModel);
  const t = await topics(label);
  await publishPolicy(t['POLICY_STATE_TOPIC']!, policy);
  const [http, grpc] = nextPorts();
  const replica = await startReplica(`tp-${label}`, http, grpc, t);
  const body = (i: number) => checkRequest(policy, i, rulesPerModel);
  const results: Record<string, unknown> = { rules: policy.ruleCount, models };
  for (const [transport, make] of [
    ['grpc', () => grpcClient(replica.grpc)],
    ['rest', () => restClient(replica.http)],
  ] as const) {
    const client: { call: Call; close: () => void } = make();
    await maxThroughput(client.call, body, 64, 1_500); // warm-up
    const max = await maxThroughput(client.call, body, 64, DURATION_MS);
    const latency = await latencyAtRate(client.call, body, Math.floor(max / 2), DURATION_MS);
    client.close();
    results[transport] = {
      max_checks_per_s: Math.round(max),
      at_half_max: { rate: Math.floor(max / 2), ...latency },
    };
    console.log(
      `${label} ${transport}: max ${Math.round(max)}/s; at ${Math.floor(max / 2)}/s p50 ${latency.p50} ms p99 ${latency.p99} ms`,
    );
  }
  await replica.stop();
  return results;
}

async function propagation() {
  const policy = generatePolicy(100, 10);
  const t = await topics('prop');
  await publishPolicy(t['POLICY_STATE_TOPIC']!, policy);
  const replicas = [];
  for (const name of ['prop-a', 'prop-b']) {
    const [http, grpc] = nextPorts();
    replicas.push(await startReplica(name, http, grpc, t));
  }
  const clients = replicas.map((r) => grpcClient(r.grpc));
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const model = 'prop-target';
  const probe = {
    principal: { id: 'p@company.com', type: 'user', roles: ['prop'] },
    model,
    operation: 'infer',
    context: {},
  };
  const samples: number[] = [];
  for (let v = 1; v <= CHANGES; v++) {
    const doc = {
      model,
      mode: 'enforce',
      rules: [{ id: `v${v}`, principal: { type: 'role', value: 'prop' }, operations: ['infer'] }],
    };
    const sent = performance.now();
    await producer.send({
      topic: t['POLICY_STATE_TOPIC']!,
      messages: [
        {
          key: model,
          value: JSON.stringify({
            model,
            version: v,
            enforce: doc,
            shadow: null,
            updated_at: new Date().toISOString(),
          }),
        },
      ],
    });
    await Promise.all(
      clients.map(async (c) => {
        for (;;) {
          const answer = await c.call(probe);
          if (answer.policy_version >= v) return;
          await new Promise((r) => setImmediate(r));
        }
      }),
    );
    samples.push(performance.now() - sent);
  }
  await producer.disconnect();
  clients.forEach((c) => c.close());
  await Promise.all(replicas.map((r) => r.stop()));
  const s = summary(samples);
  console.log(
    `propagation to 2 replicas over ${CHANGES} changes: p50 ${s.p50} ms p99 ${s.p99} ms max ${s.max} ms (from producer.send)`,
  );
  return s;
}

async function coldStart() {
  const policy = generatePolicy(10_000, 10);
  const t = await topics('cold');
  await publishPolicy(t['POLICY_STATE_TOPIC']!, policy);
  const [http, grpc] = nextPorts();
  const replica = await startReplica('cold', http, grpc, t);
  const client = grpcClient(replica.grpc);
  const answer = await client.call(checkRequest(policy, 9_999, 10));
  if (!answer.allow) throw new Error('cold replica denied a check it should allow');
  client.close();
  await replica.stop();
  console.log(`cold start, 10k models / 100k rules: ${Math.round(replica.readyMs)} ms spawn to ready`);
  return { models: 10_000, rules: policy.ruleCount, spawn_to_ready_ms: Math.round(replica.readyMs) };
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    cpus: (await import('node:os')).cpus().length,
    node: process.version,
  };
  try {
    if (!only || only === 'throughput') {
      report['throughput_1k'] = await throughput('1k', 100, 10);
      report['throughput_100k'] = await throughput('100k', 10_000, 10);
    }
    if (!only || only === 'propagation') report['propagation'] = await propagation();
    if (!only || only === 'cold') report['cold_start'] = await coldStart();
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  }
  const out = join(ROOT, '.run', 'bench', 'decision');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `report-${Date.now()}.json`), JSON.stringify(report, null, 2));
  console.log(JSON.stringify(report, null, 2));
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
