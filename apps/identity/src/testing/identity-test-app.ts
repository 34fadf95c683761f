// Test support for identity's integration tests: an identity app in-process against the real
// Postgres, Kafka and slapd, and a consumer that collects what reaches an identity topic.
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { loadConfig } from '@modelgate/config';
import type { OutboxPublisher } from '@modelgate/event-store';
import { createServiceApp } from '@modelgate/service-kit';
import { createLogger } from '@modelgate/telemetry';
import { createTopic, DEMO_LDAP, infraEndpoints } from '@modelgate/testing';
import { IdentityCacheConsumer } from '../cache/identity-cache.consumer';
import { identityConfigSchema } from '../config';
import { identityModules } from '../identity.modules';

export const TEST_ISSUER = 'http://identity.test';

export interface TestApp {
  readonly app: NestFastifyApplication;
  login(username: string, password: string): Promise<string>;
  request(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    token?: string,
    payload?: unknown,
  ): Promise<{ statusCode: number; body: string; json<T = Record<string, unknown>>(): T }>;
}

/** Starts identity on `databaseUrl` writing to `topic`; resolves once its cache consumer has joined. */
export async function startIdentity(
  databaseUrl: string,
  topic: string,
  env: Record<string, string> = {},
  overrides: { outboxPublisher?: OutboxPublisher } = {},
): Promise<TestApp> {
  const config = loadConfig(identityConfigSchema, {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infraEndpoints().kafkaBrokers.join(','),
    LDAP_URL: infraEndpoints().ldapUrl,
    LDAP_BIND_DN: DEMO_LDAP.serviceBindDn,
    LDAP_BIND_PASSWORD: DEMO_LDAP.serviceBindPassword,
    ISSUER_URL: TEST_ISSUER,
    IDENTITY_EVENTS_TOPIC: topic,
    API_KEY_CACHE_TTL_MS: '60000',
    LDAP_SYNC_INTERVAL_MS: '0',
    OUTBOX_POLL_MS: '100',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createServiceApp({
    name: 'identity',
    config,
    imports: identityModules(config, overrides),
    logger: createLogger('identity', 'silent'),
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  await app.get(IdentityCacheConsumer).whenJoined();
  const request: TestApp['request'] = (method, url, token, payload) =>
    app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  return {
    app,
    request,
    async login(username, password) {
      const res = await request('POST', '/v1/auth/token', undefined, { username, password });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      return res.json<{ access_token: string }>().access_token;
    },
  };
}

export interface SeenEvent {
  readonly key: string;
  readonly id: string;
  readonly type: string;
  readonly sequence: number;
  readonly stream: string;
  readonly data: Record<string, unknown>;
}

/** Collects every record of `topic` from its beginning (a fresh group), for assertions on what was published. */
export class TopicRecorder {
  readonly events: SeenEvent[] = [];
  private consumer?: Consumer;

  private readonly kafka: Kafka;

  constructor(private readonly topic: string) {
    this.kafka = new Kafka({
      brokers: [...infraEndpoints().kafkaBrokers],
      clientId: 'identity-test-reader',
      logLevel: logLevel.NOTHING,
    });
  }

  /** Creates the topic (3 partitions, as the real one) and starts reading it. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    await createTopic(admin, this.topic, 3);
    await admin.disconnect();
    const consumer = this.kafka.consumer({ groupId: `identity-test-${randomBytes(5).toString('hex')}` });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const env = JSON.parse(message.value!.toString()) as Omit<SeenEvent, 'key'>;
        this.events.push({ ...env, key: message.key!.toString() });
        return Promise.resolve();
      },
    });
  }

  async waitFor(pred: (e: SeenEvent) => boolean, timeoutMs = 20_000): Promise<SeenEvent> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.events.find(pred);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`event not seen on ${this.topic}; saw ${this.events.map((e) => e.type).join(', ')}`);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
