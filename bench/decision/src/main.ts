// Decision service benchmark (see README):
//  1. compare: Modelgate (gRPC, REST) vs Cerbos (gRPC, REST) vs OPA (REST) on one generated
//     access model at 1k and 100k rules, by the Go load generator: max checks/s (closed loop),
//     p50/p99 at 50 % of max (open loop), after an equivalence check of the answers;
//  2. propagation: a policy change published to the state topic until visible on 2 replicas;
//  3. cold start: spawn to ready with 10k models / 100k rules in the state topic.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { brokerStop } from './broker-stop';
import { grpcClient } from './clients';
import { compareSize, table, type CompareContext, type SizeResult } from './compare';
import { CERBOS_BIN, OPA_BIN, freePort, peersInstalled } from './peers';
import { checkRequest, generatePolicy, type GeneratedPolicy } from './policy-set';
import { summarise } from './profile-summary';
import { ROOT, startReplica } from './replica';
import { summary } from './stats';

const BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5_000);
const WARMUP_MS = Number(process.env['BENCH_WARMUP_MS'] ?? 2_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
/** Alternating Modelgate/Cerbos open-loop pairs at Cerbos's half-max rate, per transport. */
const SAME_LOAD_ROUNDS = Number(process.env['BENCH_SAME_LOAD_ROUNDS'] ?? 3);
const CHANGES = Number(process.env['BENCH_CHANGES'] ?? 200);
/** CPU lists for taskset; "" disables pinning. On a 1-core machine both default to none. */
const MULTI = cpus().length >= 2;
const TARGET_CPUS = (process.env['BENCH_TARGET_CPUS'] ?? (MULTI ? '1' : '')) || undefined;
const LOADGEN_CPUS = (process.env['BENCH_LOADGEN_CPUS'] ?? (MULTI ? '0' : '')) || undefined;
/** `profile` and BENCH_CPU_PROF=1: Modelgate replicas write V8 CPU profiles here. */
const PROFILE_DIR = join(ROOT, '.run', 'bench', 'decision', 'profiles');
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
  await publishDocuments(topic, policy.documents, version);
}

async function publishDocuments(
  topic: string,
  documents: readonly { model: string }[],
  version = 1,
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const updated = new Date().toISOString();
  for (let i = 0; i < documents.length; i += 1000) {
    await producer.send({
      topic,
      messages: documents.slice(i, i + 1000).map((doc) => ({
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

/** Two ports nobody listens on now (HTTP, gRPC): a stale server on a fixed port would fool the readiness probe. */
const nextPorts = async (): Promise<readonly [number, number]> => {
  const http = await freePort();
  let grpc = await freePort();
  while (grpc === http) grpc = await freePort();
  return [http, grpc] as const;
};

async function propagation() {
  const policy = generatePolicy(100, 10);
  const t = await topics('prop');
  await publishPolicy(t['POLICY_STATE_TOPIC']!, policy);
  const replicas = [];
  for (const name of ['prop-a', 'prop-b']) {
    const [http, grpc] = await nextPorts();
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
  const [http, grpc] = await nextPorts();
  const replica = await startReplica('cold', http, grpc, t);
  const client = grpcClient(replica.grpc);
  const answer = await client.call(checkRequest(policy, 9_999, 10));
  if (!answer.allow) throw new Error('cold replica denied a check it should allow');
  client.close();
  await replica.stop();
  console.log(`cold start, 10k models / 100k rules: ${Math.round(replica.readyMs)} ms spawn to ready`);
  return { models: 10_000, rules: policy.ruleCount, spawn_to_ready_ms: Math.round(replica.readyMs) };
}

function version(bin: string, args: string[]): string {
  try {
    return execFileSync(bin, args, { encoding: 'utf8' }).split('\n')[0]!.trim();
  } catch {
    return 'missing';
  }
}

function machine() {
  const list = cpus();
  return {
    cpu_model: list[0]?.model ?? 'unknown',
    cores: list.length,
    node: process.version,
    load_avg: loadavg().map((l) => Math.round(l * 100) / 100),
    target_cpus: TARGET_CPUS ?? 'any',
    loadgen_cpus: LOADGEN_CPUS ?? 'any',
    cerbos: version(CERBOS_BIN, ['--version']),
    opa: version(OPA_BIN, ['version']),
  };
}

/** What every compared size shares: the machine's pinning, the load and the bench's topics. */
function baseContext(rounds: number, nodeArgs: readonly string[]): Omit<CompareContext, 'peers'> {
  return {
    topics,
    publishDocuments: (topic, documents) => publishDocuments(topic, documents),
    nextPorts,
    targetCpus: TARGET_CPUS,
    loadgenCpus: LOADGEN_CPUS,
    concurrency: CONCURRENCY,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
    rounds,
    sameLoadRounds: SAME_LOAD_ROUNDS,
    checks: Number(process.env['BENCH_CHECKS'] ?? 10_000),
    sample: Number(process.env['BENCH_EQUIVALENCE_SAMPLE'] ?? 200),
    nodeArgs,
  };
}

async function compare(): Promise<{ sizes: SizeResult[] }> {
  const missing = peersInstalled();
  if (missing.some((m) => m.includes('loadgen')))
    throw new Error(
      `the load generator is not built: run bench/decision/setup-peers.sh (missing ${missing.join(', ')})`,
    );
  const installed = missing.length === 0 && process.env['BENCH_PEERS'] !== '0';
  if (missing.length > 0)
    console.log(
      `peers not installed (${missing.join(', ')}): run bench/decision/setup-peers.sh; timing Modelgate only`,
    );
  const profile = process.env['BENCH_CPU_PROF'] === '1';
  if (profile) mkdirSync(PROFILE_DIR, { recursive: true });
  // Cerbos 0.55 compiles every policy into its rule table before it listens: with one
  // resource policy per model that is minutes of CPU for 10k models on this machine, past the
  // bench's time budget, so Cerbos at 100k rules runs only when asked for.
  const cerbos100k = process.env['BENCH_CERBOS_100K'] === '1';
  const base = baseContext(ROUNDS, profile ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []);
  const sizes: SizeResult[] = [];
  const only = process.env['BENCH_SIZES']?.split(',');
  for (const [tag, models] of [
    ['1k', 100],
    ['100k', 10_000],
  ] as const) {
    if (only && !only.includes(tag)) continue;
    const withCerbos = installed && (tag === '1k' || cerbos100k);
    const ctx: CompareContext = {
      ...base,
      peers: installed ? (withCerbos ? ['cerbos', 'opa'] : ['opa']) : [],
      skipped:
        installed && !withCerbos
          ? {
              cerbos:
                'Cerbos 0.55 compiles all 10k resource policies before it listens (minutes of CPU here); BENCH_CERBOS_100K=1 runs it',
            }
          : {},
      peerStartTimeoutMs: withCerbos && tag === '100k' ? 60 * 60_000 : 180_000,
    };
    sizes.push(await compareSize(tag, models, 10, ctx));
  }
  return { sizes };
}

/** Modelgate alone under the same loads, one replica per transport, each with a V8 CPU profile. */
async function profile(): Promise<string> {
  if (peersInstalled().some((m) => m.includes('loadgen')))
    throw new Error('the load generator is not built: run bench/decision/setup-peers.sh');
  mkdirSync(PROFILE_DIR, { recursive: true });
  const out: string[] = [];
  const sizes = process.env['BENCH_SIZES']?.split(',') ?? ['1k'];
  for (const [tag, models] of [
    ['1k', 100],
    ['100k', 10_000],
  ] as const) {
    if (!sizes.includes(tag)) continue;
    for (const transport of ['grpc', 'http'] as const) {
      const dir = join(PROFILE_DIR, `${tag}-${transport}-${Date.now()}`);
      mkdirSync(dir, { recursive: true });
      const result = await compareSize(tag, models, 10, {
        ...baseContext(1, ['--cpu-prof', `--cpu-prof-dir=${dir}`]),
        // Not pinned: on one core V8's sampling thread runs only while the main thread
        // sleeps, and the profile shows a busy replica as idle.
        targetCpus: undefined,
        peers: [],
        transports: [transport],
      });
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
        const text = `--- ${tag} ${transport === 'http' ? 'REST' : 'gRPC'}\n${summarise(join(dir, file), 40, (result.startup_ms['modelgate'] ?? 0) + 500)}`;
        console.log(text);
        out.push(text);
      }
    }
  }
  return out.join('\n\n');
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const report: Record<string, unknown> = { at: new Date().toISOString(), machine: machine() };
  let printed = '';
  try {
    if (!only || only === 'compare' || only === 'throughput') {
      const { sizes } = await compare();
      report['compare'] = sizes;
      const m = machine();
      printed = [
        '',
        `decision checks/s — same load generator (bench/decision/loadgen, Go) for every target; ${CONCURRENCY} concurrent callers;`,
        `max = best of ${ROUNDS} interleaved closed-loop rounds of ${DURATION_MS / 1000} s (each after ${WARMUP_MS / 1000} s warm-up); p50/p99 = open loop at 50 % of that max for ${DURATION_MS / 1000} s, from intended send times`,
        `target CPU / CPU wait = the target's CPU time / its threads' time runnable but waiting for a CPU (schedstat), % of the best closed round;`,
        `checks/CPU-s = max checks/s per second of the target's own CPU time; Kafka CPU = the local broker (Modelgate records every decision there), others CPU = the rest of the machine (other users' jobs), in that round, % of one core`,
        `machine: ${m.cpu_model}, ${m.cores} cores, node ${m.node}; target pinned to CPU ${m.target_cpus}, generator to CPU ${m.loadgen_cpus}; load avg at end ${m.load_avg.join(' ')}`,
        `peers: ${m.cerbos.startsWith('0') ? `cerbos ${m.cerbos}` : m.cerbos}, ${m.opa}`,
        ...sizes.map(
          (s) =>
            `${s.label}: equivalence ${s.equivalence.agree_all}/${s.equivalence.sample} alike (${s.equivalence.ok ? 'ok' : 'DISAGREE'}); ready in ${Object.entries(
              s.startup_ms,
            )
              .map(([k, v]) => `${k} ${v} ms`)
              .join(', ')}`,
        ),
        '',
        table(sizes),
        '',
      ].join('\n');
    }
    if (only === 'profile') {
      printed = await profile();
      writeFileSync(join(PROFILE_DIR, `summary-${Date.now()}.txt`), printed);
    }
    if (!only || only === 'propagation') {
      const p = await propagation();
      report['propagation'] = p;
      printed += `propagation to 2 replicas (${CHANGES} changes, from producer.send): p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms\n`;
    }
    if (only === 'broker-stop') {
      const r = await brokerStop({
        kafka,
        topics,
        publishPolicy,
        nextPorts,
        policy: generatePolicy(100, 10),
      });
      report['broker_stop'] = r;
      printed +=
        `broker stopped for ${r.outage_ms} ms under ${r.rate} gRPC checks/s: ${r.answered} answered ` +
        `(${r.answered_during_outage} during the stop, ${r.failed_calls} calls failed), ${r.on_topic} records on the topic, ` +
        `${r.lost} lost, ${r.duplicates} duplicates (topic complete ${r.drain_ms} ms after the load ended)\n`;
    }
    if (!only || only === 'cold') {
      const c = await coldStart();
      report['cold_start'] = c;
      printed += `cold start, 10k models / 100k rules: ${c.spawn_to_ready_ms} ms spawn to ready\n`;
    }
  } finally {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  }
  const out = join(ROOT, '.run', 'bench', 'decision');
  mkdirSync(out, { recursive: true });
  const stamp = Date.now();
  writeFileSync(join(out, `report-${stamp}.json`), JSON.stringify(report, null, 2));
  if (printed) writeFileSync(join(out, `table-${stamp}.txt`), printed);
  console.log(`report: ${join(out, `report-${stamp}.json`)}`);
  if (printed) console.log(printed);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
