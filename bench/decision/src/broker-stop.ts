// Decision records through a real broker stop: the local Kafka process is stopped
// (scripts/infra/kafka.sh down) for BENCH_OUTAGE_MS under a steady gRPC check load, then
// started again, and every decision the replica answered is looked for on its records topic.
// Counted, not sampled: lost = answered decision ids never on the topic. (The integration
// test kafka-outage.int-spec.ts cuts the network path instead, because the shared broker
// serves the other suites; this is the stronger case, run by hand: `bench broker-stop`.)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { grpcClient } from './clients';
import { checkRequest, type GeneratedPolicy } from './policy-set';
import { ROOT, startReplica } from './replica';

export interface BrokerStopDeps {
  readonly kafka: Kafka;
  readonly topics: (tag: string) => Promise<Record<string, string>>;
  readonly publishPolicy: (topic: string, policy: GeneratedPolicy) => Promise<void>;
  readonly nextPorts: () => Promise<readonly [number, number]>;
  readonly policy: GeneratedPolicy;
}

export interface BrokerStopResult {
  readonly outage_ms: number;
  readonly rate: number;
  readonly answered: number;
  readonly answered_during_outage: number;
  readonly failed_calls: number;
  readonly on_topic: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly drain_ms: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kafkaScript = (action: 'up' | 'down') =>
  execFileSync('bash', [join(ROOT, 'scripts', 'infra', 'kafka.sh'), action], { stdio: 'ignore' });

export async function brokerStop(deps: BrokerStopDeps): Promise<BrokerStopResult> {
  const outageMs = Number(process.env['BENCH_OUTAGE_MS'] ?? 30_000);
  const rate = Number(process.env['BENCH_OUTAGE_RATE'] ?? 1_000);
  const t = await deps.topics('stop');
  await deps.publishPolicy(t['POLICY_STATE_TOPIC']!, deps.policy);
  const [http, grpc] = await deps.nextPorts();
  // Staleness above the outage: the replica keeps deciding on its last policy, so every
  // answer is a real decision whose record must survive (with the default it would fail
  // closed after 30 s, and those denials are recorded just the same).
  const replica = await startReplica('broker-stop', http, grpc, {
    ...t,
    MAX_STALENESS_MS: String(outageMs + 60_000),
  });
  const client = grpcClient(replica.grpc);
  const answered: { id: string; at: number }[] = [];
  let failed = 0;
  let i = 0;
  const perTick = Math.max(1, Math.round(rate / 100));
  const load = setInterval(() => {
    for (let k = 0; k < perTick; k++) {
      client
        .call(checkRequest(deps.policy, i++, 10))
        .then((a) =>
          answered.push({ id: (a as unknown as { decision_id: string }).decision_id, at: Date.now() }),
        )
        .catch(() => failed++);
    }
  }, 10);
  await sleep(3_000);
  const down = Date.now();
  kafkaScript('down');
  await sleep(Math.max(0, outageMs - (Date.now() - down)));
  kafkaScript('up');
  const up = Date.now();
  await sleep(3_000);
  clearInterval(load);
  await sleep(500);

  // Read the records topic until every answered id is there, or nothing new comes for 15 s.
  const wanted = new Set(answered.map((a) => a.id));
  const copies = new Map<string, number>();
  const consumer = deps.kafka.consumer({ groupId: `bench-broker-stop-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: t['DECISIONS_TOPIC']!, fromBeginning: true });
  let last = Date.now();
  void consumer.run({
    eachMessage: ({ message }) => {
      const id = (JSON.parse(message.value!.toString()) as { decision_id: string }).decision_id;
      copies.set(id, (copies.get(id) ?? 0) + 1);
      last = Date.now();
      return Promise.resolve();
    },
  });
  const drainStart = Date.now();
  while ([...wanted].some((id) => !copies.has(id)) && Date.now() - last < 15_000) await sleep(500);
  const drainMs = Date.now() - drainStart;
  await consumer.disconnect();
  client.close();
  await replica.stop();

  const onTopic = [...copies.values()].reduce((n, c) => n + c, 0);
  return {
    outage_ms: up - down,
    rate,
    answered: answered.length,
    answered_during_outage: answered.filter((a) => a.at > down && a.at < up).length,
    failed_calls: failed,
    on_topic: onTopic,
    lost: [...wanted].filter((id) => !copies.has(id)).length,
    duplicates: onTopic - copies.size,
    drain_ms: drainMs,
  };
}
