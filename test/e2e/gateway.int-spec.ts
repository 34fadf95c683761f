// The seed's story end to end: every service as its production process, real Kafka,
// Postgres, slapd and the OIDC provider, the official `openai` client as users run it.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ENGINE_KEY, startStack, type Stack } from '../support/stack';
import { eventually, PROXY_ADDRESS, StackClient } from './support';

const INTRANET = '10.1.2.3';
const OUTSIDE = '203.0.113.5';

const SEED_POLICY = {
  model: 'qwen3-7b-chat',
  mode: 'enforce',
  rules: [
    {
      id: 'researchers',
      effect: 'allow',
      principal: { type: 'role', value: 'researcher' },
      operations: ['infer', 'view'],
      conditions: { ip_range: ['10.0.0.0/8', '192.168.1.0/24'], rate_limit: '100req/min' },
    },
    {
      principal: { type: 'user', value: 'alice@company.com' },
      operations: ['infer', 'train', 'download'],
      conditions: { valid_until: '2025-12-31T23:59:59Z' },
    },
  ],
};

const chat = (model: string, content = 'hello gateway'): OpenAI.ChatCompletionCreateParamsNonStreaming => ({
  model,
  messages: [{ role: 'user', content }],
});

let stack: Stack;
let client: StackClient;

beforeAll(async () => {
  stack = await startStack({
    env: { gateway: { TRUSTED_PROXIES: PROXY_ADDRESS, CLIENT_STALL_TIMEOUT_MS: '1500' } },
  });
  client = new StackClient(stack);
  await client.putPolicy(SEED_POLICY);
  // Team A (the auditors group) may use internlm3-finance; qwen3-medical is for doctors only.
  await client.putPolicy({
    model: 'internlm3-finance',
    rules: [
      {
        id: 'team-a',
        principal: { type: 'group', value: 'auditors' },
        operations: ['infer', 'view', 'train', 'download'],
      },
    ],
  });
  await client.putPolicy({
    model: 'qwen3-medical',
    rules: [{ id: 'doctors', principal: { type: 'role', value: 'doctor' }, operations: ['infer', 'view'] }],
  });
  await client.putPolicy({
    model: 'qwen3-vl-demo',
    rules: [
      {
        id: 'partners',
        principal: { type: 'role', value: 'partner' },
        operations: ['infer', 'view'],
        conditions: { rate_limit: '100 req/day' },
      },
    ],
  });
  const alice = await client.token('alice');
  // Policies reach the decision service through Kafka: wait until the first one is in force.
  await eventually(
    async () =>
      (await client.request('/v1/models/qwen3-7b-chat', { bearer: alice, via: INTRANET })).status === 200,
  );
}, 180_000);

afterAll(async () => {
  await client?.close();
  await stack?.stop();
});

describe('the seed scenarios through the openai client', () => {
  it('serves a researcher from the intranet, with the decision id on the response', async () => {
    const openai = client.openai(await client.token('alice'), INTRANET);
    const { data, response } = await openai.chat.completions.create(chat('qwen3-7b-chat')).withResponse();
    expect(data.choices[0]?.message.content).toMatch(/^qwen3-7b-chat says: hello gateway/);
    expect(data.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 16, total_tokens: 18 });
    expect(response.headers.get('x-decision-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('streams to a researcher chunk by chunk', async () => {
    const openai = client.openai(await client.token('alice'), INTRANET);
    const stream = await openai.chat.completions.create({
      ...chat('qwen3-7b-chat', 'stream me'),
      stream: true,
      max_tokens: 5,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('qwen3-7b-chat says: stream me stream');
    expect(usage?.completion_tokens).toBe(5);
  });

  it('refuses the same researcher from outside, and records why', async () => {
    const openai = client.openai(await client.token('alice'), OUTSIDE);
    const error = await openai.chat.completions.create(chat('qwen3-7b-chat')).catch((e: unknown) => e);
    // Outside the ranges she may not even see the model: it answers as a missing one.
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const decisionId = (error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-decision-id');
    const items = await client.auditEvents({ principal: 'alice@company.com', decision: 'deny' }, (items) =>
      items.some((i) => i.record.decision_id === decisionId),
    );
    const record = items.find((i) => i.record.decision_id === decisionId);
    expect(record).toMatchObject({
      reason: 'ip_not_allowed',
      operation: 'infer',
      record: { source_ip: OUTSIDE },
    });
  });

  it("answers Alice's expired grant with 403 expired", async () => {
    const res = await client.request('/v1/models/qwen3-7b-chat/download', {
      bearer: await client.token('alice'),
      via: INTRANET,
    });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error: { code: 'expired', type: 'permission_error' } });
  });

  it('refuses Bob, and not a byte reaches the engine', async () => {
    await client.resetEngine();
    const openai = client.openai(await client.token('bob'), INTRANET);
    await expect(openai.chat.completions.create(chat('qwen3-7b-chat'))).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    await expect(openai.chat.completions.create(chat('qwen3-medical'))).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );
    expect(await client.engineRequests()).toEqual([]);
  });

  it('lists only internlm3-finance to team A; qwen3-medical reads exactly like a missing model', async () => {
    const openai = client.openai(await client.token('carol'));
    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    expect(models).toEqual(['internlm3-finance']);
    const hidden = await client.request('/v1/models/qwen3-medical', { bearer: await client.token('carol') });
    const missing = await client.request('/v1/models/qwen3-missing', { bearer: await client.token('carol') });
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    const shape = (r: typeof hidden) => ({
      ...(r.json!['error'] as Record<string, unknown>),
      message: String((r.json!['error'] as { message: string }).message).replace(/'[^']+'/, "'M'"),
      request_id: null,
    });
    expect(shape(hidden)).toEqual(shape(missing));
    const chatHidden = await client.request('/v1/chat/completions', {
      bearer: await client.token('carol'),
      body: chat('qwen3-medical'),
    });
    expect(chatHidden.status).toBe(404);
  });

  it('maps every operation to its route: completions, embeddings, fine-tuning, download', async () => {
    const openai = client.openai(await client.token('carol'));
    const completion = await openai.completions.create({
      model: 'internlm3-finance',
      prompt: 'ledger',
      max_tokens: 3,
    });
    expect(completion.choices[0]?.text).toBeTruthy();
    const embedding = await openai.embeddings.create({ model: 'internlm3-finance', input: ['a', 'b'] });
    expect(embedding.data).toHaveLength(2);
    const job = await openai.fineTuning.jobs.create({
      model: 'internlm3-finance',
      training_file: 'file-abc',
    });
    expect(job).toMatchObject({ object: 'fine_tuning.job', model: 'internlm3-finance' });
    const weights = await client.request('/v1/models/internlm3-finance/download', {
      bearer: await client.token('carol'),
    });
    expect(weights.status).toBe(200);
    expect(weights.headers.get('content-disposition')).toMatch(/internlm3-finance/);
    expect(weights.headers.get('x-decision-id')).toBeTruthy();
    // The seed's own path: a chat body for the model in the path.
    const infer = await client.request('/v1/models/internlm3-finance/infer', {
      bearer: await client.token('carol'),
      body: { messages: [{ role: 'user', content: 'seed path' }] },
    });
    expect(infer.status).toBe(200);
    expect(infer.json).toMatchObject({ object: 'chat.completion', model: 'internlm3-finance' });
  });

  it('a partner key limited to qwen3-vl-demo: 100 requests a day, then 429 with Retry-After; nothing else visible', async () => {
    const bob = await client.token('bob');
    const week = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const created = await client.request('/v1/keys', {
      bearer: bob,
      body: { name: 'partner integration', models: ['qwen3-vl-demo'], expires_at: week },
    });
    expect(created.status).toBe(201);
    const secret = created.json!['secret'] as string;
    expect(secret).toMatch(/^mg_/);
    const whoami = await client.request('/v1/auth/whoami', { bearer: secret });
    // Kept to the second, as JWT-style expiry times are.
    expect(Date.parse((whoami.json!['credential'] as { expires_at: string }).expires_at)).toBe(
      Math.floor(Date.parse(week) / 1000) * 1000,
    );

    const openai = client.openai(secret);
    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    expect(models).toEqual(['qwen3-vl-demo']);
    // The owner's role would not reach qwen3-7b-chat anyway; the key's scope hides it first.
    await expect(openai.chat.completions.create(chat('qwen3-7b-chat'))).rejects.toBeInstanceOf(
      OpenAI.NotFoundError,
    );

    for (let i = 0; i < 100; i++) {
      const res = await client.request('/v1/chat/completions', {
        bearer: secret,
        body: chat('qwen3-vl-demo', `n${i}`),
      });
      expect(res.status, `request ${i + 1}`).toBe(200);
    }
    const limited = await openai.chat.completions.create(chat('qwen3-vl-demo')).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    const retryAfter = Number((limited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
  }, 60_000);

  it('a key stops working when it expires', async () => {
    const created = await client.request('/v1/keys', {
      bearer: await client.token('bob'),
      body: {
        name: 'short-lived',
        models: ['qwen3-vl-demo'],
        expires_at: new Date(Date.now() + 2_000).toISOString(),
      },
    });
    const secret = created.json!['secret'] as string;
    expect((await client.request('/v1/models', { bearer: secret })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_500));
    const expired = await client.request('/v1/models', { bearer: secret });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('a revoked key stops on the gateway within seconds (identity event), not after its cache time', async () => {
    const bob = await client.token('bob');
    const created = await client.request('/v1/keys', {
      bearer: bob,
      body: { name: 'to revoke', models: ['qwen3-vl-demo'] },
    });
    const { id, secret } = created.json as { id: string; secret: string };
    expect((await client.request('/v1/models', { bearer: secret })).status).toBe(200); // now cached
    expect((await client.request(`/v1/keys/${id}`, { method: 'DELETE', bearer: bob })).status).toBe(200);
    const tookMs = await eventually(
      async () => (await client.request('/v1/models', { bearer: secret })).status === 401,
      10_000,
    );
    expect(tookMs).toBeLessThan(10_000);
  });

  it('a shadow rule reports what it would change, then takes effect when promoted, with no restart', async () => {
    const alice = await client.token('alice');
    // The candidate narrows researchers to the 192.168.1.0/24 lab.
    await client.putPolicy({
      ...SEED_POLICY,
      mode: 'shadow',
      rules: [{ ...SEED_POLICY.rules[0], conditions: { ip_range: ['192.168.1.0/24'] } }],
    });
    let decisionId: string | null = null;
    await eventually(async () => {
      const res = await client.request('/v1/chat/completions', {
        bearer: alice,
        via: INTRANET,
        body: chat('qwen3-7b-chat'),
      });
      expect(res.status).toBe(200); // enforced document unchanged
      decisionId = res.headers.get('x-decision-id');
      const items = await client.auditEvents({ principal: 'alice@company.com', decision: 'allow' }, (items) =>
        items.some((i) => i.record.decision_id === decisionId),
      );
      return items.find((i) => i.record.decision_id === decisionId)?.record.shadow?.allow === false;
    }, 20_000);

    const promoted = await client.admin('POST', '/v1/acl/models/qwen3-7b-chat/promote');
    expect(promoted.status).toBe(200);
    const tookMs = await eventually(
      async () =>
        (
          await client.request('/v1/chat/completions', {
            bearer: alice,
            via: INTRANET,
            body: chat('qwen3-7b-chat'),
          })
        ).status === 404,
    );
    expect(tookMs).toBeLessThan(10_000);
    const lab = await client.request('/v1/chat/completions', {
      bearer: alice,
      via: '192.168.1.7',
      body: chat('qwen3-7b-chat'),
    });
    expect(lab.status).toBe(200);
    // Back to the seed policy for the other tests.
    await client.putPolicy(SEED_POLICY);
    await eventually(
      async () =>
        (await client.request('/v1/models/qwen3-7b-chat', { bearer: alice, via: INTRANET })).status === 200,
    );
  }, 60_000);
});

describe('hostile requests', () => {
  const engineKeyFingerprint = createHash('sha256')
    .update(`Bearer ${DEMO_ENGINE_KEY}`)
    .digest('hex')
    .slice(0, 16);

  it('never forwards the caller credential: the engine sees only its own key', async () => {
    await client.resetEngine();
    const res = await client.request('/v1/chat/completions', {
      bearer: await client.token('alice'),
      via: INTRANET,
      body: chat('qwen3-7b-chat'),
    });
    expect(res.status).toBe(200);
    const [seen] = await client.engineRequests();
    expect(seen).toMatchObject({
      path: '/v1/chat/completions',
      model: 'qwen3-7b-chat',
      authorization_present: true,
    });
    expect((seen as unknown as { authorization_fingerprint: string }).authorization_fingerprint).toBe(
      engineKeyFingerprint,
    );
    expect(Object.keys(seen!.headers)).not.toContain('x-forwarded-for');
  });

  it('ignores forwarding headers from a client that is not the trusted proxy', async () => {
    const res = await client.request('/v1/chat/completions', {
      bearer: await client.token('alice'),
      headers: { 'x-forwarded-for': INTRANET, forwarded: `for=${INTRANET}` },
      body: chat('qwen3-7b-chat'),
    });
    expect(res.status).toBe(404); // 127.0.0.1 is outside the researchers' ranges
    const id = res.headers.get('x-decision-id');
    const items = await client.auditEvents({ principal: 'alice@company.com' }, (items) =>
      items.some((i) => i.record.decision_id === id),
    );
    expect(items.find((i) => i.record.decision_id === id)?.record.source_ip).toBe('127.0.0.1');
    // Behind the proxy, a forged leftmost hop is ignored too: the proxy's own entry counts.
    const forged = await client.request('/v1/models/qwen3-7b-chat', {
      bearer: await client.token('alice'),
      via: `${INTRANET}, ${OUTSIDE}`,
    });
    expect(forged.status).toBe(404);
  });

  it('gives model-name variants no way in', async () => {
    await client.resetEngine();
    const alice = await client.token('alice');
    for (const [model, status] of [
      ['QWEN3-7B-CHAT', 404],
      ['qwen3-7b-chat ', 400],
      [' qwen3-7b-chat', 400],
      ['qwеn3-7b-chat', 400], // Cyrillic е
      ['qwen3\u20117b-chat', 400],
      ['qwen3-7b-chat\u200b', 400],
      ['qwen3-7b-chat/../qwen3-medical', 400],
    ] as const) {
      const res = await client.request('/v1/chat/completions', {
        bearer: alice,
        via: INTRANET,
        body: chat(model),
      });
      expect(res.status, JSON.stringify(model)).toBe(status);
    }
    for (const path of [
      '/v1/models/qwen3-7b-chat%2F..%2Fqwen3-medical/infer',
      '/v1/models/qwen3-7b-chat%20/infer',
      '/v1/models/%E2%80%8Bqwen3-7b-chat/infer',
    ]) {
      const res = await client.request(path, { bearer: alice, via: INTRANET, body: chat('qwen3-7b-chat') });
      expect(res.status, path).toBe(400);
    }
    // The body and the path must agree; the query may name it too, identically.
    const conflict = await client.request('/v1/models/qwen3-7b-chat/infer', {
      bearer: alice,
      via: INTRANET,
      body: chat('qwen3-medical'),
    });
    expect(conflict.status).toBe(400);
    const viaQuery = await client.request('/v1/chat/completions?model=qwen3-medical', {
      bearer: alice,
      via: INTRANET,
      body: chat('qwen3-7b-chat'),
    });
    expect(viaQuery.status).toBe(400);
    // Duplicate keys: the model that is checked is the model that would be sent.
    const duplicate = await client.request('/v1/chat/completions', {
      bearer: alice,
      via: INTRANET,
      body: '{"model":"qwen3-7b-chat","model":"qwen3-medical","messages":[]}',
    });
    expect(duplicate.status).toBe(404);
    expect(await client.engineRequests()).toEqual([]);
  });

  it('never reaches an engine admin route, whatever the path spelling', async () => {
    await client.resetEngine();
    const alice = await client.token('alice');
    const raw = (path: string, method = 'POST') =>
      new Promise<number>((resolve, reject) => {
        // host/port/path given apart: a URL string would have its dot segments resolved here.
        const { hostname, port } = new URL(client.base);
        const req = httpRequest(
          {
            hostname,
            port,
            path,
            method,
            headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        // No body: route matching never looks at it, and a server may close on an unread one.
        req.end();
      });
    for (const path of [
      '/v1/load_lora_adapter',
      '/v1/chat/completions/../../v1/load_lora_adapter',
      '/v1/models/qwen3-7b-chat/../../load_lora_adapter',
      '//v1/load_lora_adapter',
      '/v1/%6coad_lora_adapter',
      '/reset_prefix_cache',
      '/sleep',
    ]) {
      expect(await raw(path), path).toBeGreaterThanOrEqual(400);
    }
    expect(await raw('/v1/acl/../keys', 'GET')).toBe(400);
    expect(await raw('/v1/acl/%2e%2e/keys', 'GET')).toBe(400);
    expect(await client.engineRequests()).toEqual([]);
  });

  it('refuses huge bodies with 413 before reading them', async () => {
    // A raw client that announces a large body, sends only its first bytes and waits: the
    // answer has to come from the headers alone. (Writing the whole body would race the
    // gateway closing the connection, and a reset can swallow the answer that came first.)
    const post = (bearer: string | null, bytes: number) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(client.base);
        const req = httpRequest({
          hostname,
          port,
          path: '/v1/chat/completions',
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(bytes),
            ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          },
        });
        let answered = false;
        req.once('response', (res) => {
          answered = true;
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.once('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        });
        req.on('error', (error) => {
          if (!answered) reject(error);
        });
        req.write(Buffer.alloc(16 * 1024, 0x20));
      });
    const huge = await post(await client.token('alice'), 9 * 1024 * 1024);
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({
      error: { type: 'invalid_request_error', code: 'request_too_large' },
    });
    // An anonymous caller is refused before its body is read.
    expect((await post(null, 2 * 1024 * 1024)).status).toBe(401);
  });

  it('cancels the engine request when the client goes away mid-stream', async () => {
    await client.resetEngine();
    const openai = client.openai(await client.token('alice'), INTRANET);
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      {
        ...chat('qwen3-7b-chat'),
        stream: true,
        max_tokens: 2_000,
        demo_token_delay_ms: 20,
      } as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal: controller.signal },
    );
    let chunks = 0;
    try {
      for await (const _chunk of stream) if (++chunks === 3) controller.abort();
    } catch {
      // the client library reports the abort as an error, or ends the iteration
    }
    expect(chunks).toBeLessThan(100);
    await eventually(async () => (await client.engineRequests()).some((r) => r.aborted), 5_000);
  });

  it('disconnects a client that never reads its stream, and the engine stops', async () => {
    await client.resetEngine();
    const alice = await client.token('alice');
    const body = JSON.stringify({
      ...chat('qwen3-7b-chat', 'flood '.repeat(50)),
      stream: true,
      max_tokens: 100_000,
    });
    const req = httpRequest(`${client.base}/v1/chat/completions`, {
      method: 'POST',
      localAddress: PROXY_ADDRESS,
      headers: {
        authorization: `Bearer ${alice}`,
        'content-type': 'application/json',
        'x-forwarded-for': INTRANET,
      },
    });
    const status = new Promise<number>((resolve, reject) => {
      req.once('response', (res) => {
        res.pause(); // never read: a paused socket does not even notice the close
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
    });
    req.end(body);
    try {
      expect(await status).toBe(200);
      // The gateway gives up on the client after CLIENT_STALL_TIMEOUT_MS (1.5 s here) and
      // cancels the engine's generation of 100,000 tokens.
      await eventually(async () => (await client.engineRequests()).some((r) => r.aborted), 10_000);
    } finally {
      req.destroy();
    }
  }, 30_000);

  it('answers 502 when the engine is down, in the OpenAI error shape', async () => {
    const carol = await client.token('carol');
    await stack.stopService('demo-engine');
    try {
      const res = await client.request('/v1/chat/completions', {
        bearer: carol,
        body: chat('internlm3-finance'),
      });
      expect(res.status).toBe(502);
      expect(res.json).toMatchObject({ error: { code: 'upstream_unavailable', type: 'server_error' } });
      expect(res.headers.get('x-decision-id')).toBeTruthy();
    } finally {
      await stack.startService('demo-engine');
    }
  });

  it('fails closed while the decision service is down: 503, nothing forwarded, recorded', async () => {
    const alice = await client.token('alice');
    await client.resetEngine();
    await stack.stopService('decision');
    try {
      const res = await client.request('/v1/chat/completions', {
        bearer: alice,
        via: INTRANET,
        body: chat('qwen3-7b-chat'),
      });
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ error: { code: 'decision_unavailable' } });
      const listed = await client.request('/v1/models', { bearer: alice, via: INTRANET });
      expect(listed.status).toBe(503);
      expect(await client.engineRequests()).toEqual([]);
      const id = res.headers.get('x-decision-id');
      const items = await client.auditEvents({ principal: 'alice@company.com', decision: 'deny' }, (items) =>
        items.some((i) => i.record.decision_id === id),
      );
      expect(items.find((i) => i.record.decision_id === id)?.reason).toBe('decision_unavailable');
    } finally {
      await stack.startService('decision');
    }
    await eventually(
      async () =>
        (await client.request('/v1/models/qwen3-7b-chat', { bearer: alice, via: INTRANET })).status === 200,
    );
  }, 90_000);
});
