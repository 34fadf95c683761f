// OpenAiProxy on a real node:http server in front of a stand-in engine, the access gate's
// identity and decision replaced: what reaches the engine, what the caller is answered, what
// is recorded.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, type Principal } from '@modelgate/auth';
import { createLogger } from '@modelgate/telemetry';
import { AccessGate } from '../access/access-gate';
import { BackendCatalog } from '../backends/backend-catalog';
import type { CheckResult } from '../decision/decision-client';
import type { Refusal } from '../records/refusal-recorder';
import { OpenAiProxy } from './openai-proxy';

const DECISION = '0b6f1f5e-8f3c-4c55-9a55-2f0d0c7c1a11';
const alice: Principal = {
  id: 'alice@company.com',
  type: 'user',
  roles: [],
  groups: [],
  credential: { kind: 'identity_token', issuer: 'i' },
};

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let engine: Server;
let gateway: Server;
let gatewayPort: number;
let agent: Agent;
const engineSeen: Seen[] = [];
const refusals: Refusal[] = [];
const checks: string[] = [];
let passedOn = 0;

beforeAll(async () => {
  engine = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      engineSeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'engine=1', server: 'vllm' });
      res.end('{"id":"cmpl-1","choices":[]}');
    });
  });
  await new Promise<void>((resolve) => engine.listen(0, '127.0.0.1', resolve));
  const enginePort = (engine.address() as AddressInfo).port;
  const catalog = BackendCatalog.parse(
    `models:\n  m1: { engine: vllm, base_url: "http://127.0.0.1:${enginePort}/v1", api_key_env: KEY }\n`,
    { KEY: 'engine-secret' },
  );
  const gate = new AccessGate(
    {
      resolve: (authorization) =>
        authorization === 'Bearer good'
          ? Promise.resolve(alice)
          : Promise.reject(new AuthenticationError('missing')),
    },
    {
      check: (input) => {
        checks.push(`${input.model} ${input.operation}`);
        return Promise.resolve<CheckResult>({
          decisionId: DECISION,
          allow: input.model === 'm1',
          reason: input.model === 'm1' ? 'allowed' : 'no_matching_rule',
          ruleId: null,
          policyVersion: 1,
          retryAt: null,
        });
      },
      visibleModels: () => Promise.resolve({ decisionId: DECISION, models: [] }),
    },
    { record: (r) => (refusals.push(r), `refusal-${refusals.length}`) },
    createLogger('test', 'silent'),
  );
  agent = new Agent({ connections: 4 });
  const proxy = new OpenAiProxy({
    gate,
    catalog,
    clientIp: (req) => req.socket.remoteAddress ?? null,
    dispatcher: agent,
    timeouts: { headersMs: 2_000, bodyMs: 2_000 },
    stallTimeoutMs: 2_000,
    maxBodyBytes: 4_096,
    logger: createLogger('test', 'silent'),
  });
  gateway = createServer((req, res) => {
    if (proxy.take(req, res)) return;
    passedOn += 1;
    res.writeHead(404).end('not mine');
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayPort = (gateway.address() as AddressInfo).port;
});

afterAll(async () => {
  await agent.close();
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  await new Promise<void>((resolve) => engine.close(() => resolve()));
});

beforeEach(() => {
  engineSeen.length = 0;
  refusals.length = 0;
  checks.length = 0;
  passedOn = 0;
});

interface Answer {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

function call(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: gatewayPort, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const authorized = { authorization: 'Bearer good', 'content-type': 'application/json' };

describe('OpenAiProxy', () => {
  it("forwards an allowed request with the engine's key, re-serialised, and passes only safe headers back", async () => {
    const res = await call(
      'POST',
      '/v1/chat/completions',
      {
        ...authorized,
        'x-request-id': 'req-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      '{"model":"m1", "messages":[]}',
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"id":"cmpl-1","choices":[]}');
    expect(res.headers['x-decision-id']).toBe(DECISION);
    expect(res.headers['x-request-id']).toBe('req-1');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['server']).toBeUndefined();
    expect(engineSeen).toHaveLength(1);
    expect(engineSeen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/chat/completions',
      body: '{"model":"m1","messages":[]}',
    });
    expect(engineSeen[0]!.headers['authorization']).toBe('Bearer engine-secret');
    expect(engineSeen[0]!.headers['x-request-id']).toBe('req-1');
    expect(engineSeen[0]!.headers['traceparent']).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
  });

  it('sets the model of the path in the body sent on the seed path, and maps download to GET', async () => {
    expect((await call('POST', '/v1/models/m1/infer', authorized, '{"messages":[]}')).status).toBe(200);
    expect(engineSeen[0]).toMatchObject({
      url: '/v1/chat/completions',
      body: '{"messages":[],"model":"m1"}',
    });
    expect((await call('GET', '/v1/models/m1/download', { authorization: 'Bearer good' })).status).toBe(200);
    expect(engineSeen[1]).toMatchObject({ method: 'GET', url: '/v1/models/m1/download', body: '' });
    expect(checks).toEqual(['m1 infer', 'm1 download']);
  });

  it('refuses an unknown caller with 401 before reading its body, recorded without a principal', async () => {
    const res = await call(
      'POST',
      '/v1/chat/completions',
      { 'content-type': 'application/json' },
      '{"model":"m1"}',
    );
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(res.body)).toMatchObject({
      error: { type: 'authentication_error', code: 'invalid_api_key' },
    });
    expect(refusals).toMatchObject([{ principal: null, reason: 'unauthenticated' }]);
    expect(engineSeen).toEqual([]);
  });

  it('answers bodies it cannot take with their problem, records them, and forwards nothing', async () => {
    const cases: [Record<string, string>, string, number, string][] = [
      [authorized, '{"model":', 400, 'invalid_json'],
      [authorized, '{"__proto__":{"x":1},"model":"m1"}', 400, 'invalid_json'],
      [authorized, '[1,2]', 400, 'invalid_request'],
      [{ ...authorized, 'content-type': 'text/plain' }, '{"model":"m1"}', 415, 'unsupported_media_type'],
      [authorized, `{"model":"m1","p":"${'x'.repeat(5_000)}"}`, 413, 'request_too_large'],
    ];
    for (const [headers, body, status, code] of cases) {
      const res = await call('POST', '/v1/chat/completions', headers, body);
      expect([res.status, JSON.parse(res.body).error.code], body.slice(0, 30)).toEqual([status, code]);
      expect(res.headers['x-decision-id']).toMatch(/^refusal-/);
    }
    expect(refusals.map((r) => r.reason)).toEqual(Array(5).fill('invalid_request'));
    expect(refusals.every((r) => r.principal?.id === 'alice@company.com')).toBe(true);
    expect(engineSeen).toEqual([]);
  });

  it('answers a model the caller may not use like a missing one, and a malformed model segment 400', async () => {
    const hidden = await call('POST', '/v1/chat/completions', authorized, '{"model":"m2"}');
    expect(hidden.status).toBe(404);
    expect(JSON.parse(hidden.body).error.code).toBe('model_not_found');
    const malformed = await call('POST', '/v1/models/%E2%80/infer', authorized, '{}');
    expect(malformed.status).toBe(400);
    expect(engineSeen).toEqual([]);
  });

  it('leaves every other request to the next handler, untouched', async () => {
    for (const [method, path] of [
      ['GET', '/v1/models'],
      ['GET', '/v1/chat/completions'],
      ['POST', '/v1/load_lora_adapter'],
      ['POST', '/v1/chat/completions/'],
    ] as const) {
      expect((await call(method, path, authorized, method === 'POST' ? '{}' : undefined)).body).toBe(
        'not mine',
      );
    }
    expect(passedOn).toBe(4);
    expect(checks).toEqual([]);
  });
});
