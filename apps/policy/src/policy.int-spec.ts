// The policy service against real Postgres, Kafka and the dev OIDC provider: the REST API of
// ARCHITECTURE.md with real tokens, concurrency, history and rollback, the topics it feeds,
// the read model rebuild, the OpenAPI document, and the seed's Python example.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@modelgate/config';
import { createKafka } from '@modelgate/messaging';
import { createServiceApp } from '@modelgate/service-kit';
import { setupDocs } from './docs/setup-docs';
import { createLogger } from '@modelgate/telemetry';
import {
  createTestDatabase,
  createTopic,
  DEMO_USERS,
  DEV_IDP_CLIENTS,
  fetchOidcTokens,
  infraEndpoints,
  readRecords,
  uniqueTopicName,
  type TestDatabase,
} from '@modelgate/testing';
import { AclReadModelRepository } from './acl/read-model/acl-read-model.repository';
import { RebuildReadModelCommand } from './acl/use-cases/rebuild-read-model/rebuild-read-model.command';
import { RebuildReadModelHandler } from './acl/use-cases/rebuild-read-model/rebuild-read-model.handler';
import { policyConfigSchema } from './config';
import { policyModules } from './policy.modules';

const run = promisify(execFile);
// The seed's document, as ARCHITECTURE.md writes it (shared with the README's walk-through).
const SEED = JSON.parse(
  readFileSync(resolve(__dirname, '../../../test/fixtures/policies/seed-policy.json'), 'utf8'),
) as { model: string; mode: string; rules: Record<string, unknown>[] };
/** A page of a list answer, items loosely typed. */
interface Page {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read deep into the answers
  items: Record<string, any>[];
  next_cursor: string | null;
}
const rule = (id: string, value = id) => ({
  id,
  principal: { type: 'user', value: `${value}@company.com` },
  operations: ['infer'],
});

async function token(username: 'admin' | 'alice' | 'carol'): Promise<string> {
  const tokens = await fetchOidcTokens({
    clientId: DEV_IDP_CLIENTS.tests.clientId,
    clientSecret: DEV_IDP_CLIENTS.tests.clientSecret,
    username,
    password: DEMO_USERS[username].password,
  });
  return tokens.accessToken;
}

/** `python3` with `requests`: the machine's, or a venv under .run/ made once. */
async function pythonWithRequests(): Promise<string> {
  try {
    await run('python3', ['-c', 'import requests']);
    return 'python3';
  } catch {
    const venv = resolve(__dirname, '../../../.run/policy-seed-venv');
    const python = resolve(venv, 'bin/python');
    if (!existsSync(python)) await run('python3', ['-m', 'venv', venv]);
    await run(python, ['-m', 'pip', 'install', '--quiet', 'requests'], { timeout: 120_000 });
    return python;
  }
}

describe('policy service', () => {
  let db: TestDatabase;
  let app: NestFastifyApplication;
  let kafka: Kafka;
  let base: string;
  const topics = { events: uniqueTopicName('policy-events'), state: uniqueTopicName('policy-state') };
  const auth: Record<'admin' | 'alice' | 'carol', Record<string, string>> = {
    admin: {},
    alice: {},
    carol: {},
  };

  const call = (
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    url: string,
    who: keyof typeof auth,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.inject({
      method,
      url,
      headers: { ...auth[who], ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    kafka = createKafka({ brokers: infraEndpoints().kafkaBrokers, clientId: 'policy-test' });
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, topics.events, 3);
    await createTopic(admin, topics.state, 3, { 'cleanup.policy': 'compact' });
    await admin.disconnect();
    const [adminToken, aliceToken, carolToken] = await Promise.all([
      token('admin'),
      token('alice'),
      token('carol'),
    ]);
    auth.admin = { authorization: `Bearer ${adminToken}` };
    auth.alice = { authorization: `Bearer ${aliceToken}` };
    auth.carol = { authorization: `Bearer ${carolToken}` };

    const config = loadConfig(policyConfigSchema, {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: infraEndpoints().kafkaBrokers.join(','),
      OIDC_ISSUERS: infraEndpoints().oidcIssuer,
      POLICY_EVENTS_TOPIC: topics.events,
      POLICY_STATE_TOPIC: topics.state,
      OUTBOX_POLL_MS: '200',
    });
    app = await createServiceApp({
      name: 'policy',
      config,
      imports: policyModules(config),
      logger: createLogger('policy', 'silent'),
      configure: setupDocs,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = await app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('authentication and roles', () => {
    it('answers 401 without a token and for a forged one', async () => {
      const none = await app.inject({ method: 'GET', url: '/v1/acl/models' });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toMatchObject({ error: { type: 'authentication_error', code: 'unauthenticated' } });
      const forged = await app.inject({
        method: 'GET',
        url: '/v1/acl/models',
        headers: { authorization: 'Bearer a.b.c' },
      });
      expect(forged.statusCode).toBe(401);
    });

    it('lets acl-viewer read but not write, and a researcher do neither', async () => {
      expect((await call('GET', '/v1/acl/models', 'carol')).statusCode).toBe(200);
      const write = await call('PUT', '/v1/acl/model', 'carol', SEED);
      expect(write.statusCode).toBe(403);
      expect(write.json()).toMatchObject({ error: { type: 'permission_error', code: 'forbidden' } });
      expect((await call('GET', '/v1/acl/models', 'alice')).statusCode).toBe(403);
    });
  });

  describe('documents', () => {
    it('stores the seed document with PUT /v1/acl/model and answers its version as ETag', async () => {
      const put = await call('PUT', '/v1/acl/model', 'admin', SEED);
      expect(put.statusCode).toBe(200);
      expect(put.headers.etag).toBe('"1"');
      expect(put.json()).toMatchObject({
        model: 'qwen3-7b-chat',
        version: 1,
        changed: true,
        enforce: { mode: 'enforce' },
      });
      const get = await call('GET', '/v1/acl/models/qwen3-7b-chat', 'carol');
      expect(get.headers.etag).toBe('"1"');
      expect(get.json().enforce.rules).toHaveLength(2);
      expect(get.json().updated_by).toMatchObject({ id: 'admin@company.com', type: 'user' });
      const again = await call('PUT', '/v1/acl/model', 'admin', SEED);
      expect(again.json()).toMatchObject({ version: 1, changed: false });
    });

    it('answers 400 with every problem by JSON path', async () => {
      const bad = {
        model: 'qwen3-x',
        rules: [
          {
            principal: { type: 'role', value: 'r' },
            operations: ['fly'],
            conditions: { rate_limit: '100/minute', colour: 'red' },
          },
        ],
      };
      const res = await call('PUT', '/v1/acl/models/qwen3-x', 'admin', bad);
      expect(res.statusCode).toBe(400);
      const { error } = res.json();
      expect(error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_policy' });
      const paths = (error.issues as { path: string }[]).map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['rules[0].operations[0]', 'rules[0].conditions.rate_limit']),
      );
      expect(paths.some((p) => p.includes('colour'))).toBe(true);
      const validate = await call('POST', '/v1/acl/validate', 'carol', bad);
      expect(validate.json()).toMatchObject({ valid: false });
      expect((await call('POST', '/v1/acl/validate', 'carol', SEED)).json()).toMatchObject({ valid: true });
      expect((await call('PUT', '/v1/acl/models/other', 'admin', SEED)).json()).toMatchObject({
        error: { code: 'model_mismatch' },
      });
    });

    it('replaces with an empty rule set only when confirmed', async () => {
      await call('PUT', '/v1/acl/models/empty-me', 'admin', { rules: [rule('a')] });
      const refused = await call('PUT', '/v1/acl/models/empty-me', 'admin', { rules: [] });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error.code).toBe('empty_rules_unconfirmed');
      const confirmed = await call('PUT', '/v1/acl/models/empty-me?confirm_empty=true', 'admin', {
        rules: [],
      });
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.json().enforce.rules).toEqual([]);
    });

    it('refuses a stale If-Match with 412, and lets exactly one of racing If-Match writers win', async () => {
      const first = await call('PUT', '/v1/acl/models/race', 'admin', { rules: [rule('v1')] });
      const version = first.headers.etag as string;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          call('PUT', '/v1/acl/models/race', 'admin', { rules: [rule(`w${i}`)] }, { 'if-match': version }),
        ),
      );
      const statuses = results.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412, 412, 412]);
      expect(results.find((r) => r.statusCode === 412)!.json().error).toMatchObject({
        code: 'version_mismatch',
        type: 'conflict_error',
      });
      const stale = await call(
        'PUT',
        '/v1/acl/models/race',
        'admin',
        { rules: [rule('late')] },
        { 'if-match': version },
      );
      expect(stale.statusCode).toBe(412);
      expect((await call('GET', '/v1/acl/models/race', 'admin')).headers.etag).toBe('"2"');
    });

    it('loses no update from concurrent writers without If-Match', async () => {
      await call('PUT', '/v1/acl/models/many', 'admin', { rules: [rule('base')] });
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          call('POST', '/v1/acl/models/many/rules', 'admin', rule(`r${i}`)),
        ),
      );
      expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      const doc = (await call('GET', '/v1/acl/models/many', 'admin')).json();
      expect(doc.version).toBe(7);
      expect((doc.enforce.rules as { id: string }[]).map((r) => r.id).sort()).toEqual([
        'base',
        'r0',
        'r1',
        'r2',
        'r3',
        'r4',
        'r5',
      ]);
      const removed = await call('DELETE', '/v1/acl/models/many/rules/r3', 'admin');
      expect(removed.json().enforce.rules).toHaveLength(6);
      expect((await call('DELETE', '/v1/acl/models/many/rules/r3', 'admin')).statusCode).toBe(404);
      expect((await call('POST', '/v1/acl/models/many/rules', 'admin', rule('r0'))).statusCode).toBe(409);
    });

    it('keeps a shadow candidate beside the enforced document until promoted', async () => {
      await call('PUT', '/v1/acl/models/qwen3-*', 'admin', { rules: [rule('old')] });
      const shadow = await call('PUT', '/v1/acl/models/qwen3-*', 'admin', {
        mode: 'shadow',
        rules: [rule('new')],
      });
      expect(shadow.json()).toMatchObject({
        enforce: { rules: [{ id: 'old' }] },
        shadow: { mode: 'shadow', rules: [{ id: 'new' }] },
      });
      const promoted = await call('POST', '/v1/acl/models/qwen3-*/promote', 'admin');
      expect(promoted.json()).toMatchObject({
        enforce: { mode: 'enforce', rules: [{ id: 'new' }] },
        shadow: null,
      });
      expect((await call('POST', '/v1/acl/models/qwen3-*/promote', 'admin')).json().error.code).toBe(
        'no_shadow',
      );
      const demoted = await call('PUT', '/v1/acl/models/qwen3-*/mode', 'admin', { mode: 'shadow' });
      expect(demoted.json()).toMatchObject({ enforce: null, shadow: { rules: [{ id: 'new' }] } });
    });

    it('discards a shadow candidate without touching the enforced document', async () => {
      await call('PUT', '/v1/acl/models/discard-me', 'admin', { rules: [rule('keep')] });
      await call('PUT', '/v1/acl/models/discard-me', 'admin', { mode: 'shadow', rules: [rule('try')] });
      expect((await call('DELETE', '/v1/acl/models/discard-me/shadow', 'carol')).statusCode).toBe(403);
      const discarded = await call('DELETE', '/v1/acl/models/discard-me/shadow', 'admin');
      expect(discarded.statusCode).toBe(200);
      expect(discarded.headers['etag']).toBe('"3"');
      expect(discarded.json()).toMatchObject({ enforce: { rules: [{ id: 'keep' }] }, shadow: null });
      const again = await call('DELETE', '/v1/acl/models/discard-me/shadow', 'admin');
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('no_shadow');
      const history = (await call('GET', '/v1/acl/models/discard-me/history', 'admin')).json<Page>();
      expect(history.items[0]).toMatchObject({ version: 3, type: 'acl.shadow_discarded' });
    });

    it('rolls back by appending a new version; history shows who, when, from where and the diff', async () => {
      await call(
        'PUT',
        '/v1/acl/models/hist',
        'admin',
        { rules: [rule('a')] },
        { 'user-agent': 'policy-test' },
      );
      await call('PUT', '/v1/acl/models/hist', 'admin', { rules: [rule('a', 'changed'), rule('b')] });
      const rolled = await call('POST', '/v1/acl/models/hist/rollback', 'admin', { version: 1 });
      expect(rolled.statusCode).toBe(200);
      expect(rolled.headers.etag).toBe('"3"');
      expect(rolled.json().enforce.rules).toEqual([rule('a')].map((r) => ({ ...r, effect: 'allow' })));
      expect(
        (await call('POST', '/v1/acl/models/hist/rollback', 'admin', { version: 9 })).json().error.code,
      ).toBe('unknown_version');

      const page1 = (await call('GET', '/v1/acl/models/hist/history?limit=2', 'carol')).json<Page>();
      expect(page1.items.map((i) => i.version as number)).toEqual([3, 2]);
      expect(page1.items[0]).toMatchObject({
        type: 'acl.rolled_back',
        rolled_back_to: 1,
        actor: { id: 'admin@company.com', ip: '127.0.0.1' },
      });
      expect(page1.items[0]!.diff.enforce).toMatchObject({
        change: 'changed',
        removed: [{ id: 'b' }],
        changed: [{ id: 'a' }],
      });
      expect(page1.items[1]!.diff.enforce).toMatchObject({
        added: [{ id: 'b' }],
        changed: [{ id: 'a', before: { principal: { value: 'a@company.com' } } }],
      });
      const page2 = (
        await call('GET', `/v1/acl/models/hist/history?limit=2&cursor=${page1.next_cursor}`, 'carol')
      ).json();
      expect(page2).toMatchObject({
        items: [
          {
            version: 1,
            type: 'acl.rules_replaced',
            user_agent: 'policy-test',
            diff: { enforce: { change: 'created' } },
          },
        ],
        next_cursor: null,
      });
    });

    it('deletes a document (404 after), and lists live patterns page by page', async () => {
      await call('PUT', '/v1/acl/models/gone', 'admin', { rules: [rule('x')] });
      const deleted = await call('DELETE', '/v1/acl/models/gone', 'admin');
      expect(deleted.json()).toMatchObject({ enforce: null, shadow: null, version: 2 });
      expect((await call('GET', '/v1/acl/models/gone', 'admin')).statusCode).toBe(404);
      expect((await call('DELETE', '/v1/acl/models/gone', 'admin')).statusCode).toBe(404);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/acl/models?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await call('GET', url, 'carol')).json<Page>();
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((i) => i.model as string));
        cursor = page.next_cursor;
      } while (cursor !== null);
      expect(seen).toEqual([...seen].sort());
      expect(seen).toEqual(expect.arrayContaining(['qwen3-7b-chat', 'race', 'hist', 'qwen3-*']));
      expect(seen).not.toContain('gone');
    });
  });

  it('relays every event in order per model to the events topic, and the current document to the state topic', async () => {
    const live = await app.get(AclReadModelRepository).all();
    const total = live.reduce((n, s) => n + s.version, 0);
    const events = await readRecords(kafka, topics.events, total, 20_000);
    const byModel = new Map<string, number[]>();
    for (const { message } of events) {
      const envelope = JSON.parse(message.value!.toString()) as {
        stream: string;
        type: string;
        sequence: number;
      };
      expect(message.key!.toString()).toBe(envelope.stream.slice('acl:'.length));
      expect(message.headers!['event-type']!.toString()).toBe(envelope.type);
      byModel.set(message.key!.toString(), [
        ...(byModel.get(message.key!.toString()) ?? []),
        envelope.sequence,
      ]);
    }
    for (const [model, sequences] of byModel) {
      const versions = (await app.get(AclReadModelRepository).get(model))!.version;
      expect(sequences, model).toEqual(Array.from({ length: versions }, (_, i) => i + 1));
    }
    const state = await readRecords(kafka, topics.state, total, 20_000);
    const last = new Map(state.map(({ message }) => [message.key!.toString(), message.value]));
    expect(last.get('gone')).toBeNull();
    expect(JSON.parse(last.get('discard-me')!.toString())).toMatchObject({
      version: 3,
      enforce: { rules: [{ id: 'keep' }] },
      shadow: null,
    });
    expect(JSON.parse(last.get('hist')!.toString())).toMatchObject({
      model: 'hist',
      version: 3,
      enforce: { rules: [{ id: 'a' }] },
      shadow: null,
    });
  });

  it('rebuilds a read model equal to the live one', async () => {
    const readModel = app.get(AclReadModelRepository);
    const live = await readModel.all();
    const result = await app
      .get(RebuildReadModelHandler)
      .execute(RebuildReadModelCommand.create({ batchSize: 7 }));
    expect(result.patterns).toBe(live.length);
    expect(await readModel.all()).toEqual(live);
  });

  it('serves its OpenAPI document and the outbox lag metric', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/acl/model',
        '/v1/acl/models/{model}',
        '/v1/acl/models/{model}/history',
        '/v1/acl/validate',
      ]),
    );
    expect((await app.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^modelgate_outbox_unpublished_rows \d+$/m);
    expect(metrics).toMatch(/^modelgate_outbox_relay_leader 1$/m);
  });

  it("runs the seed's Python example unchanged apart from the URL and the token", async () => {
    const python = await pythonWithRequests();
    const { stdout } = await run(python, [resolve(__dirname, '../test/seed_example.py')], {
      env: { ...process.env, BASE: base, TOKEN: auth.admin.authorization!.slice('Bearer '.length) },
    });
    expect(stdout.trim()).toMatch(/^200 "1" 1$/);
  });
});
