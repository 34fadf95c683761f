// The decision service end to end against the real Kafka: cold start from the state topic,
// the YAML decision cases of libs/acl over REST and gRPC, live updates (duplicates, gaps,
// invalid events to the dead-letter topic), identity events, staleness and decision records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, Partitioners, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@modelgate/config';
import { decisionRecordV1Schema } from '@modelgate/contracts';
import { DECISION_PROTO_LOADER_OPTIONS, DECISION_PROTO_PATH } from '@modelgate/contracts/grpc';
import { createEnvelope, encodeEnvelope } from '@modelgate/messaging';
import { createLogger } from '@modelgate/telemetry';
import { createTopic, freePort, infraEndpoints, readRecords, uniqueTopicName } from '@modelgate/testing';
import { loadDecisionSuites, type DecisionCase, type DecisionSuite } from '@modelgate/acl/testing';
import { createDecisionApp } from './bootstrap/decision-app';
import { decisionConfigSchema, type DecisionConfig } from './config';
import { PolicyFeed } from './policy/policy-feed';
import { Metrics } from './metrics/metrics';

const brokers = infraEndpoints().kafkaBrokers;
const kafka = new Kafka({ brokers: [...brokers], clientId: 'decision-int-test', logLevel: logLevel.NOTHING });
let admin: Admin;
const producer = kafka.producer({
  allowAutoTopicCreation: false,
  createPartitioner: Partitioners.DefaultPartitioner,
});
const createdTopics: string[] = [];

type TopicVariable =
  | 'POLICY_STATE_TOPIC'
  | 'POLICY_EVENTS_TOPIC'
  | 'IDENTITY_EVENTS_TOPIC'
  | 'DECISIONS_TOPIC'
  | 'POLICY_DLQ_TOPIC'
  | 'IDENTITY_DLQ_TOPIC';
type Topics = Record<TopicVariable, string>;

interface Outcome {
  allow: boolean;
  reason: string;
  rule_id?: string | null;
  policy_version?: number;
}
interface Answer extends Outcome {
  decision_id: string;
  shadow?: Outcome | null;
  retry_at?: string | null;
}
/** Any answer of the API, as the tests read it. */
interface Body extends Answer {
  error: { type: string; code: string; message: string };
  models: string[];
  decision: Answer;
  rules: { rule_id: string }[];
  decisions: Answer[];
}

async function freshTopics(): Promise<Topics> {
  const topics: Topics = {
    POLICY_STATE_TOPIC: uniqueTopicName('decision-state'),
    POLICY_EVENTS_TOPIC: uniqueTopicName('decision-events'),
    IDENTITY_EVENTS_TOPIC: uniqueTopicName('decision-identity'),
    DECISIONS_TOPIC: uniqueTopicName('decision-records'),
    POLICY_DLQ_TOPIC: uniqueTopicName('decision-policy-dlq'),
    IDENTITY_DLQ_TOPIC: uniqueTopicName('decision-identity-dlq'),
  };
  const partitions = (t: string) =>
    t === topics.POLICY_STATE_TOPIC || t === topics.POLICY_EVENTS_TOPIC || t === topics.DECISIONS_TOPIC
      ? 3
      : 1;
  for (const topic of Object.values(topics)) {
    const config: Record<string, string> =
      topic === topics.POLICY_STATE_TOPIC ? { 'cleanup.policy': 'compact' } : {};
    await createTopic(admin, topic, partitions(topic), config);
  }
  createdTopics.push(...Object.values(topics));
  return topics;
}

const ACTOR = { id: 'admin@company.com', type: 'user' };
const T = '2026-01-15T10:00:00Z';

function stateMessage(model: string, version: number, enforce: unknown, shadow: unknown = null) {
  return {
    key: model,
    value: JSON.stringify({ model, version, enforce, shadow, updated_at: T }),
    headers: { 'event-type': 'acl.state', 'policy-version': String(version) },
  };
}

function eventMessage(model: string, sequence: number, type: string, data: Record<string, unknown>) {
  return encodeEnvelope(
    createEnvelope({ type, schema: 1, stream: `acl:${model}`, sequence, actor: ACTOR, data }),
    model,
  );
}

interface GrpcDecisionClient extends Client {
  [method: string]: unknown;
}

class Decision {
  readonly grpc: GrpcDecisionClient;
  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: DecisionConfig,
    private readonly spoolDir: string,
  ) {
    const definition = loadSync(DECISION_PROTO_PATH, { ...DECISION_PROTO_LOADER_OPTIONS });
    const pkg = loadPackageDefinition(definition) as unknown as {
      modelgate: {
        decision: { v1: { DecisionService: new (url: string, creds: unknown) => GrpcDecisionClient } };
      };
    };
    this.grpc = new pkg.modelgate.decision.v1.DecisionService(
      `127.0.0.1:${config.GRPC_PORT}`,
      credentials.createInsecure(),
    );
  }

  static async start(topics: Topics, env: Record<string, string> = {}): Promise<Decision> {
    const spoolDir = mkdtempSync(join(tmpdir(), 'decision-spool-'));
    const config = loadConfig(decisionConfigSchema, {
      KAFKA_BROKERS: brokers.join(','),
      GRPC_PORT: String(await freePort()),
      SPOOL_DIR: spoolDir,
      LOG_LEVEL: 'silent',
      ...topics,
      ...env,
    });
    const app = await createDecisionApp(config, createLogger('decision-test', 'silent'));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    await app.get(PolicyFeed).whenCaughtUp();
    return new Decision(app, config, spoolDir);
  }

  async rest(path: string, body: unknown): Promise<{ status: number; body: Body }> {
    const res = await this.app.inject({
      method: 'POST',
      url: `/v1/decisions${path}`,
      payload: body as object,
      headers: { 'x-request-id': 'int-test-1' },
    });
    return { status: res.statusCode, body: res.json<Body>() };
  }

  call<T>(method: string, request: unknown, metadata?: Metadata): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = this.grpc[method] as (
        req: unknown,
        md: Metadata | undefined,
        cb: (e: ServiceError | null, r: T) => void,
      ) => void;
      fn.call(this.grpc, request, metadata ?? new Metadata(), (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  }

  metric(name: string, labels?: Record<string, string>): number {
    return this.app.get(Metrics).value(name, labels);
  }

  async close(): Promise<void> {
    this.grpc.close();
    await this.app.close();
    rmSync(this.spoolDir, { recursive: true, force: true });
  }
}

async function until<T>(probe: () => Promise<T> | T, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end)
      throw new Error(`condition not met in ${ms} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await admin.deleteTopics({ topics: createdTopics }).catch(() => undefined);
  await admin.disconnect();
});

// ---------------------------------------------------------------------------------------------
// The YAML decision cases of libs/acl, over REST and over gRPC.

type Observed = Record<string, unknown>;

/**
 * The suite's documents as the policy service would publish them: one state record per model
 * pattern. A pattern's enforce and shadow slots share its stream version (the contract's
 * `policy_version`), so where a file gives the two slots of one pattern different versions
 * the expected version of either is the pattern's (the higher one).
 */
function publishSuite(suite: DecisionSuite): {
  messages: ReturnType<typeof stateMessage>[];
  streamVersion: Map<number, number>;
} {
  const byPattern = new Map<
    string,
    { version: number; enforce: unknown; shadow: unknown; versions: number[] }
  >();
  for (const { version, document } of suite.policies) {
    const doc = document as { model: string; mode?: string };
    const entry = byPattern.get(doc.model) ?? { version: 0, enforce: null, shadow: null, versions: [] };
    entry.version = Math.max(entry.version, version);
    entry.versions.push(version);
    if (doc.mode === 'shadow') entry.shadow = doc;
    else entry.enforce = { ...doc, mode: 'enforce' };
    byPattern.set(doc.model, entry);
  }
  const streamVersion = new Map<number, number>();
  for (const entry of byPattern.values()) for (const v of entry.versions) streamVersion.set(v, entry.version);
  return {
    messages: [...byPattern].map(([model, e]) => stateMessage(model, e.version, e.enforce, e.shadow)),
    streamVersion,
  };
}

function observedFrom(answer: Omit<Answer, 'decision_id'>, want: DecisionCase['expect']): Observed {
  const seen: Observed = { allow: answer.allow };
  if (want.reason !== undefined) seen['reason'] = answer.reason;
  if (want.rule_id !== undefined) seen['rule_id'] = answer.rule_id ?? null;
  if (want.policy_version !== undefined) seen['policy_version'] = Number(answer.policy_version ?? 0);
  if (want.retry_at !== undefined)
    seen['retry_at'] = answer.retry_at ? new Date(answer.retry_at).toISOString() : null;
  if (want.shadow !== undefined) {
    const shadow = answer.shadow ?? null;
    if (want.shadow === null || shadow === null) seen['shadow'] = shadow === null ? null : 'present';
    else {
      const s: Observed = { allow: shadow.allow };
      if (want.shadow.reason !== undefined) s['reason'] = shadow.reason;
      if (want.shadow.rule_id !== undefined) s['rule_id'] = shadow.rule_id ?? null;
      seen['shadow'] = s;
    }
  }
  return seen;
}

function expectedFrom(want: DecisionCase['expect'], streamVersion: Map<number, number>): Observed {
  const e: Observed = Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined));
  if (typeof e['policy_version'] === 'number' && e['policy_version'] !== 0)
    e['policy_version'] = streamVersion.get(e['policy_version']) ?? e['policy_version'];
  if (typeof e['retry_at'] === 'string') e['retry_at'] = new Date(e['retry_at']).toISOString();
  if (e['shadow'] !== undefined && e['shadow'] !== null)
    e['shadow'] = Object.fromEntries(Object.entries(e['shadow']).filter(([, v]) => v !== undefined));
  return e;
}

const INVALID = {
  allow: false,
  reason: 'invalid_request',
  rule_id: null,
  policy_version: 0,
  shadow: null,
  retry_at: null,
};

const transports = {
  rest: async (service: Decision, c: DecisionCase) => {
    const res = await service.rest('', {
      principal: c.principal,
      model: c.model,
      operation: c.operation,
      context: c.context,
    });
    if (res.status === 400) {
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_request',
        message: expect.stringMatching(/^[a-z_.[\]0-9]+: /),
      });
      return INVALID;
    }
    expect(res.status).toBe(200);
    expect(res.body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    return res.body;
  },
  grpc: async (service: Decision, c: DecisionCase) => {
    try {
      const answer = await service.call<Body>('Check', {
        principal: c.principal,
        model: c.model,
        operation: c.operation,
        context: c.context,
      });
      expect(answer.decision_id).toMatch(/^[0-9a-f-]{36}$/);
      return answer;
    } catch (error) {
      const e = error as ServiceError;
      expect(e.code).toBe(3); // INVALID_ARGUMENT
      expect(e.details).toMatch(/^[a-z_.[\]0-9]+: /);
      return INVALID;
    }
  },
} as const;

const suites = loadDecisionSuites();

describe('YAML decision cases over REST and gRPC', () => {
  for (const suite of suites) {
    for (const [transport, run] of Object.entries(transports)) {
      describe(`${transport}: ${suite.file}`, () => {
        let service: Decision;
        const { messages, streamVersion } = publishSuite(suite);
        beforeAll(async () => {
          const topics = await freshTopics();
          await producer.send({ topic: topics.POLICY_STATE_TOPIC, messages });
          service = await Decision.start(topics); // cold start: reads the state topic to its end
        });
        afterAll(() => service?.close());
        it(`runs the ${suite.cases.length} cases in order`, async () => {
          const failures: string[] = [];
          for (const c of suite.cases) {
            const seen = observedFrom(await run(service, c), c.expect);
            const want = expectedFrom(c.expect, streamVersion);
            if (
              JSON.stringify(seen) !==
              JSON.stringify(Object.fromEntries(Object.keys(seen).map((k) => [k, want[k]])))
            ) {
              failures.push(`${c.name}: expected ${JSON.stringify(want)}, got ${JSON.stringify(seen)}`);
            }
          }
          expect(failures).toEqual([]);
        });
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Live updates, identity, staleness and records on one replica.

const researchers = (model: string, id = 'researchers') => ({
  model,
  mode: 'enforce',
  rules: [
    { id, effect: 'allow', principal: { type: 'role', value: 'researcher' }, operations: ['infer', 'view'] },
  ],
});
const DANA = { id: 'dana@company.com', type: 'user', roles: ['researcher'] };
const check = (model: string, principal: object = DANA) => ({
  principal,
  model,
  operation: 'infer',
  context: { ip: '10.1.2.3', time: T },
});

describe('one replica following Kafka', () => {
  let topics: Topics;
  let service: Decision;

  beforeAll(async () => {
    topics = await freshTopics();
    await producer.send({
      topic: topics.POLICY_STATE_TOPIC,
      messages: [stateMessage('live', 1, researchers('live', 'v1'))],
    });
    service = await Decision.start(topics, { MAX_STALENESS_MS: '3000' });
  });
  afterAll(() => service?.close());

  it('is ready once caught up and reports it', async () => {
    const res = await service.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.json()).toMatchObject({ checks: { policy: { ok: true } } });
    expect((await service.rest('', check('live'))).body).toMatchObject({
      allow: true,
      rule_id: 'v1',
      policy_version: 1,
    });
  });

  it('applies events, skips duplicates, and heals a gap from the state topic', async () => {
    const send = (...messages: ReturnType<typeof eventMessage>[]) =>
      producer.send({ topic: topics.POLICY_EVENTS_TOPIC, messages });
    await send(
      eventMessage('live', 2, 'acl.rules_replaced', { mode: 'enforce', document: researchers('live', 'v2') }),
    );
    await until(
      () => service.call<Body>('Check', check('live')),
      (a) => a.rule_id === 'v2' && a.policy_version === 2,
    );
    // A duplicate (redelivered) event changes nothing.
    await send(
      eventMessage('live', 2, 'acl.rules_replaced', {
        mode: 'enforce',
        document: researchers('live', 'dup'),
      }),
    );
    // A gap: #4 arrives without #3; the replica keeps v2 until the state topic brings v4.
    await send(
      eventMessage('live', 4, 'acl.rules_replaced', { mode: 'enforce', document: researchers('live', 'v4') }),
    );
    await until(
      () => service.metric('modelgate_decision_feed_records_total', { topic: 'events', outcome: 'gap' }),
      (n) => n === 1,
    );
    expect(
      service.metric('modelgate_decision_feed_records_total', { topic: 'events', outcome: 'duplicate' }),
    ).toBe(1);
    expect((await service.rest('', check('live'))).body).toMatchObject({ rule_id: 'v2', policy_version: 2 });
    expect(service.metric('modelgate_decision_policy_awaiting_reload')).toBe(1);
    await producer.send({
      topic: topics.POLICY_STATE_TOPIC,
      messages: [stateMessage('live', 4, researchers('live', 'v4'))],
    });
    await until(
      () => service.rest('', check('live')),
      (r) => r.body.rule_id === 'v4' && r.body.policy_version === 4,
    );
    expect(service.metric('modelgate_decision_policy_awaiting_reload')).toBe(0);
  });

  it('keeps the last good policy on an invalid event, dead-letters it and counts it', async () => {
    const bad = eventMessage('live', 5, 'acl.rules_replaced', {
      mode: 'enforce',
      document: {
        model: 'live',
        mode: 'enforce',
        rules: [{ principal: { type: 'role', value: 'x' }, operations: ['fly'] }],
      },
    });
    await producer.send({
      topic: topics.POLICY_EVENTS_TOPIC,
      messages: [bad, { key: 'live', value: '{not json' }],
    });
    const dead = await readRecords(kafka, topics.POLICY_DLQ_TOPIC, 2);
    const invalid = dead.find((r) => r.message.value?.toString() !== '{not json')!;
    expect(invalid.message.headers?.['dlq-reason']?.toString()).toMatch(/rules\[0\]\.operations/);
    expect(invalid.message.headers?.['dlq-source-topic']?.toString()).toBe(topics.POLICY_EVENTS_TOPIC);
    expect(
      dead
        .find((r) => r.message.value?.toString() === '{not json')!
        .message.headers?.['dlq-reason']?.toString(),
    ).toMatch(/JSON/);
    expect(
      service.metric('modelgate_decision_feed_records_total', { topic: 'events', outcome: 'invalid' }),
    ).toBe(2);
    expect((await service.rest('', check('live'))).body).toMatchObject({
      allow: true,
      rule_id: 'v4',
      policy_version: 4,
    });
  });

  it('denies principals identity disabled', async () => {
    const bob = { id: 'bob@company.com', type: 'user', roles: ['researcher'] };
    expect((await service.rest('', check('live', bob))).body.allow).toBe(true);
    await producer.send({
      topic: topics.IDENTITY_EVENTS_TOPIC,
      messages: [
        encodeEnvelope(
          createEnvelope({
            type: 'identity.principal_disabled',
            schema: 1,
            stream: 'principal:bob@company.com',
            sequence: 3,
            actor: ACTOR,
            data: { principal_id: 'bob@company.com', principal_type: 'user' },
          }),
          'bob@company.com',
        ),
      ],
    });
    await until(
      () => service.call<Body>('Check', check('live', bob)),
      (a) => a.reason === 'principal_disabled',
    );
    expect((await service.rest('', check('live'))).body.allow).toBe(true);
  });

  it('answers bad input with the field over REST 400 and gRPC INVALID_ARGUMENT', async () => {
    const rest = await service.rest('/batch', {
      checks: [check('live'), { ...check('live'), operation: 'fly' }],
    });
    expect(rest.status).toBe(400);
    expect(rest.body.error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^checks\[1\]\.operation: expected one of/),
      request_id: 'int-test-1',
    });
    await expect(
      service.call('Check', { ...check('live'), principal: { id: 'x', type: 'robot' } }),
    ).rejects.toMatchObject({ code: 3, details: expect.stringMatching(/^principal\.type: /) });
  });

  it('serves batch, visible models and explain on both transports', async () => {
    const batch = await service.call<Body>('CheckBatch', { checks: [check('live'), check('nothing')] });
    expect(batch.decisions.map((d: Answer) => [d.allow, d.reason])).toEqual([
      [true, 'allowed'],
      [false, 'no_matching_rule'],
    ]);
    const visible = { principal: DANA, context: { time: T }, models: ['live', 'nothing'] };
    expect((await service.rest('/visible-models', visible)).body).toMatchObject({
      models: ['live'],
      decision_id: expect.any(String),
    });
    expect(await service.call<Body>('ListVisibleModels', visible)).toMatchObject({ models: ['live'] });
    const explained = await service.call<Body>('Explain', check('live'));
    expect(explained).toMatchObject({
      decision: { allow: true, rule_id: 'v4' },
      rules: [{ rule_id: 'v4', status: 'applies', decisive: true }],
    });
    expect((await service.rest('/explain', check('live'))).body).toMatchObject({
      decision: { allow: true },
      rules: [{ rule_id: 'v4' }],
    });
  });

  it('records every check on the decisions topic, keyed by model, without secrets', async () => {
    const metadata = new Metadata();
    metadata.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    metadata.set('x-request-id', 'grpc-req-7');
    const answer = await service.call<Body>('Check', check('live'), metadata);
    // Every check so far; read until the one above is among them.
    const records = await until(
      async () =>
        (await readAll(topics.DECISIONS_TOPIC)).map((r) => decisionRecordV1Schema.parse(JSON.parse(r.value))),
      (list) => list.some((r) => r.decision_id === answer.decision_id),
    );
    const mine = records.find((r) => r.decision_id === answer.decision_id)!;
    expect(mine).toMatchObject({
      request_id: 'grpc-req-7',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      model: 'live',
      operation: 'infer',
      source_ip: '10.1.2.3',
      allow: true,
      rule_id: 'v4',
      policy_version: 4,
      principal: { id: 'dana@company.com', type: 'user', roles: ['researcher'] },
    });
    expect(records.some((r) => r.reason === 'principal_disabled')).toBe(true);
    expect(records.some((r) => r.reason === 'invalid_request')).toBe(true);
  });

  it('fails closed when its feed stalls longer than MAX_STALENESS_MS', async () => {
    const feed = service.app.get(PolicyFeed);
    const internals = feed as unknown as { lastFetchAt: number };
    internals.lastFetchAt = Date.now() - 10_000; // as if no fetch for 10 s (the consumer resumes and refreshes it)
    expect((await service.rest('', check('live'))).body).toMatchObject({
      allow: false,
      reason: 'policy_stale',
    });
    expect((await service.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
    await until(
      () => service.rest('', check('live')),
      (r) => r.body.allow === true,
    );
  });
});

/** Every record of a topic so far (a fresh reader each time). */
async function readAll(topic: string): Promise<{ key: string; value: string }[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  const records = await readRecords(kafka, topic, total, 20_000);
  return records.map((r) => ({
    key: r.message.key?.toString() ?? '',
    value: r.message.value?.toString() ?? '',
  }));
}
