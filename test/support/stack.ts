// The whole Modelgate stack for end-to-end and browser tests: the demo engine and the five
// services as their production processes, on free ports, against the real infrastructure
// that ./dev starts. Each stack has a database and policy/decision topics of its own, so
// stacks (and the dev stack) never read each other's documents or records.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_SPECS, TOPICS } from '@modelgate/contracts';
import { createTestDatabase, createTopic, infraEndpoints, uniqueTopicName } from '@modelgate/testing';
import { freePort, ROOT, startService, waitReady, type ServiceProcess } from './processes';

export const STACK_SERVICES = ['demo-engine', 'identity', 'policy', 'decision', 'audit', 'gateway'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

export const DEMO_ENGINE_KEY = 'e2e-demo-engine-key';
export const DEMO_MODELS = ['qwen3-7b-chat', 'qwen3-medical', 'internlm3-finance', 'qwen3-vl-demo'] as const;

export interface Stack {
  readonly gatewayUrl: string;
  readonly urls: Readonly<Record<StackService, string>>;
  readonly topics: {
    readonly policyEvents: string;
    readonly policyState: string;
    readonly decisions: string;
  };
  readonly databaseUrl: string;
  readonly processes: Readonly<Record<StackService, ServiceProcess>>;
  /** Stops one service (to test what happens without it) and starts it again. */
  stopService(name: StackService): Promise<void>;
  startService(name: StackService): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra environment per service. */
  readonly env?: Partial<Record<StackService, Record<string, string>>>;
}

/** The dev stack's settings (scripts/dev-stack.env): one source for both. */
function devStackEnv(): Record<string, string> {
  const out = execFileSync('bash', ['-c', 'set -a; source scripts/dev-stack.env; env -0'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ROOT },
    encoding: 'utf8',
  });
  const env: Record<string, string> = {};
  for (const entry of out.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  for (const name of [
    'PATH',
    'PWD',
    'SHLVL',
    '_',
    'ROOT',
    'BACKENDS_FILE',
    'DEMO_ENGINE_KEY',
    'DEMO_API_KEY',
    'REDIS_URL',
  ])
    delete env[name];
  return env;
}

async function createStackTopics(brokers: readonly string[]): Promise<Stack['topics']> {
  const topics = {
    policyEvents: uniqueTopicName('policy-events'),
    policyState: uniqueTopicName('policy-state'),
    decisions: uniqueTopicName('decisions'),
  };
  const spec = (name: string) => TOPIC_SPECS.find((t) => t.name === name)!;
  const kafka = new Kafka({ clientId: 'e2e-stack', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopic(admin, topics.policyEvents, 3, { ...spec(TOPICS.policyEvents).config });
    await createTopic(admin, topics.policyState, 3, { ...spec(TOPICS.policyState).config });
    await createTopic(admin, topics.decisions, 3, { ...spec(TOPICS.decisions).config });
  } finally {
    await admin.disconnect();
  }
  return topics;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const infra = infraEndpoints();
  const db = await createTestDatabase(infra.databaseUrl);
  const topics = await createStackTopics(infra.kafkaBrokers);
  const work = mkdtempSync(join(tmpdir(), 'modelgate-stack-'));
  const ports = Object.fromEntries(
    await Promise.all(STACK_SERVICES.map(async (s) => [s, await freePort()] as const)),
  ) as Record<StackService, number>;
  const grpcPort = await freePort();
  const urls = Object.fromEntries(STACK_SERVICES.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<
    StackService,
    string
  >;
  const backendsFile = join(work, 'backends.yaml');
  writeFileSync(
    backendsFile,
    `models:\n${DEMO_MODELS.map(
      (m) => `  ${m}: { engine: vllm, base_url: "${urls['demo-engine']}/v1", api_key_env: DEMO_ENGINE_KEY }`,
    ).join('\n')}\n`,
  );
  const common = {
    ...devStackEnv(),
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    DATABASE_URL: db.url,
    IDENTITY_ISSUER: urls.identity,
    BIND_ADDRESS: '127.0.0.1',
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
  const envOf: Record<StackService, Record<string, string>> = {
    'demo-engine': { DEMO_API_KEY: DEMO_ENGINE_KEY },
    identity: { ...common, ISSUER_URL: urls.identity, TRUSTED_PROXIES: '127.0.0.1' },
    policy: {
      ...common,
      POLICY_EVENTS_TOPIC: topics.policyEvents,
      POLICY_STATE_TOPIC: topics.policyState,
      OUTBOX_POLL_MS: '100',
      TRUSTED_PROXIES: '127.0.0.1',
    },
    decision: {
      ...common,
      GRPC_PORT: String(grpcPort),
      POLICY_EVENTS_TOPIC: topics.policyEvents,
      POLICY_STATE_TOPIC: topics.policyState,
      DECISIONS_TOPIC: topics.decisions,
      SPOOL_DIR: join(work, 'decision-spool'),
    },
    audit: {
      ...common,
      DECISIONS_TOPIC: topics.decisions,
      POLICY_EVENTS_TOPIC: topics.policyEvents,
      AUDIT_CONSUMER_GROUP: `e2e-audit-${topics.decisions.split('.').pop()}`,
      TRUSTED_PROXIES: '127.0.0.1',
    },
    gateway: {
      ...common,
      BACKENDS_FILE: backendsFile,
      DEMO_ENGINE_KEY,
      DECISION_GRPC_URL: `127.0.0.1:${grpcPort}`,
      IDENTITY_URL: urls.identity,
      POLICY_URL: urls.policy,
      DECISION_URL: urls.decision,
      AUDIT_URL: urls.audit,
      DECISIONS_TOPIC: topics.decisions,
      // Short, so that tests of revocation and of a decision outage need not wait.
      PRINCIPAL_CACHE_TTL_MS: '1000',
      CONSOLE_DIR: resolve(ROOT, 'apps/console/dist'),
    },
  };
  const processes = {} as Record<StackService, ServiceProcess>;
  const launch = async (name: StackService): Promise<void> => {
    const run = startService(name, { PORT: String(ports[name]), ...envOf[name], ...options.env?.[name] });
    processes[name] = run;
    await waitReady(ports[name], run, 60_000);
  };
  const stopAll = async (): Promise<void> => {
    for (const name of [...STACK_SERVICES].reverse()) await processes[name]?.stop();
    await db.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    // The engine and identity first (others verify tokens against identity's keys), the
    // gateway last (it is ready only when the decision service answers).
    await launch('demo-engine');
    await launch('identity');
    await Promise.all([launch('policy'), launch('decision'), launch('audit')]);
    await launch('gateway');
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    gatewayUrl: urls.gateway,
    urls,
    topics,
    databaseUrl: db.url,
    processes,
    stopService: async (name) => {
      await processes[name].stop();
    },
    startService: launch,
    stop: stopAll,
  };
}
