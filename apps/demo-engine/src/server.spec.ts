import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_MODELS } from './config/demo-engine.config';
import { fingerprint, type RecordedRequest } from './request-log/request-log';
import { buildDemoEngine } from './server';

/** The `data:` payloads of an SSE body, checking the framing (`data: ...\n\n`) strictly. */
export function sseEvents(body: string): string[] {
  if (!body.endsWith('\n\n'))
    throw new Error(`stream does not end with a blank line: ${JSON.stringify(body.slice(-40))}`);
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      if (!frame.startsWith('data: ') || frame.includes('\n'))
        throw new Error(`bad SSE frame: ${JSON.stringify(frame)}`);
      return frame.slice('data: '.length);
    });
}

const CREATED = 1_800_000_000;
let app: FastifyInstance;

beforeEach(() => {
  app = buildDemoEngine({
    config: { DEMO_MODELS: DEFAULT_DEMO_MODELS, DEMO_API_KEY: undefined },
    nowSeconds: () => CREATED,
  });
});
afterEach(async () => {
  await app.close();
});

const chat = (body: object) => app.inject({ method: 'POST', url: '/v1/chat/completions', payload: body });
const hello = { model: 'qwen3-7b-chat', messages: [{ role: 'user', content: 'hello there world' }] };

async function recorded(): Promise<RecordedRequest[]> {
  return (await app.inject({ method: 'GET', url: '/__demo/requests' })).json<{ items: RecordedRequest[] }>()
    .items;
}

describe('models', () => {
  it('lists the demo models in OpenAI shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ object: string; data: { id: string; object: string }[] }>();
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(DEFAULT_DEMO_MODELS);
    expect(body.data.every((m) => m.object === 'model')).toBe(true);
  });

  it('answers one model, and 404 model_not_found for others, variants included', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/models/qwen3-medical' })).json()).toMatchObject({
      id: 'qwen3-medical',
      object: 'model',
    });
    for (const name of ['gpt-4', 'Qwen3-medical', 'qwen3-medical%20', 'qwen3-medic%D0%B0l']) {
      const res = await app.inject({ method: 'GET', url: `/v1/models/${name}` });
      expect(res.statusCode, name).toBe(404);
      expect(res.json(), name).toMatchObject({
        error: { type: 'invalid_request_error', code: 'model_not_found' },
      });
    }
  });

  it('serves deterministic weights of about a MiB', async () => {
    const a = await app.inject({ method: 'GET', url: '/v1/models/qwen3-vl-demo/download' });
    const b = await app.inject({ method: 'GET', url: '/v1/models/qwen3-vl-demo/download' });
    const other = await app.inject({ method: 'GET', url: '/v1/models/qwen3-medical/download' });
    expect(a.statusCode).toBe(200);
    expect(a.headers['content-type']).toBe('application/octet-stream');
    expect(a.headers['content-length']).toBe(String(1 << 20));
    expect(a.headers['content-disposition']).toBe('attachment; filename="qwen3-vl-demo.bin"');
    expect(a.rawPayload.length).toBe(1 << 20);
    expect(a.rawPayload.equals(b.rawPayload)).toBe(true);
    expect(a.rawPayload.equals(other.rawPayload)).toBe(false);
    expect((await app.inject({ method: 'GET', url: '/v1/models/nope/download' })).statusCode).toBe(404);
  });
});

describe('POST /v1/chat/completions', () => {
  it('answers from the model and the last user message, with word-count usage', async () => {
    const res = await chat({
      model: 'qwen3-7b-chat',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'ignored earlier question' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'hello there' }, { type: 'image_url' }] },
      ],
      max_tokens: 7,
      temperature: 0.2,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: expect.stringMatching(/^chatcmpl-[0-9a-f]{24}$/),
      object: 'chat.completion',
      created: CREATED,
      model: 'qwen3-7b-chat',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'qwen3-7b-chat says: hello there hello there hello' },
          logprobs: null,
          finish_reason: 'length',
        },
      ],
      // 2 + 3 + 1 + 2 prompt words; exactly max_tokens completion words.
      usage: { prompt_tokens: 8, completion_tokens: 7, total_tokens: 15 },
    });
  });

  it('defaults to 16 tokens ending with stop, and caps max_tokens at 100000', async () => {
    const res = await chat(hello);
    const body = res.json<{
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    }>();
    expect(body.choices[0]!.message.content.split(' ')).toHaveLength(16);
    expect(body.choices[0]!.finish_reason).toBe('stop');
    expect(body.usage.completion_tokens).toBe(16);

    const big = await chat({ ...hello, max_tokens: 100_000 });
    expect(big.json<{ usage: { completion_tokens: number } }>().usage.completion_tokens).toBe(100_000);
    const tooBig = await chat({ ...hello, max_tokens: 100_001 });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json()).toMatchObject({ error: { param: 'max_tokens', type: 'invalid_request_error' } });
    expect(tooBig.json<{ error: { message: string } }>().error.message).toMatch(
      /^max_tokens: expected at most 100000/,
    );
    // max_completion_tokens (the newer name) wins over max_tokens.
    const newer = await chat({ ...hello, max_tokens: 5, max_completion_tokens: 3 });
    expect(newer.json<{ usage: { completion_tokens: number } }>().usage.completion_tokens).toBe(3);
  });

  it('answers the same bytes to the same request, and differently per model', async () => {
    const a = await chat(hello);
    const b = await chat(hello);
    expect(a.body).toBe(b.body);
    const other = await chat({ ...hello, model: 'internlm3-finance' });
    expect(other.json<{ id: string }>().id).not.toBe(a.json<{ id: string }>().id);
    expect(other.body).toContain('internlm3-finance says: hello there world');
  });

  it.each([
    [{ messages: hello.messages }, 'model'],
    [{ model: 42, messages: hello.messages }, 'model'],
    [{ model: 'qwen3-7b-chat' }, 'messages'],
    [{ model: 'qwen3-7b-chat', messages: [] }, 'messages'],
    [{ model: 'qwen3-7b-chat', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'qwen3-7b-chat', messages: [{ role: 'user', content: 7 }] }, 'messages[0].content'],
    [{ ...hello, stream: 'yes' }, 'stream'],
    [{ ...hello, stream_options: { include_usage: 1 } }, 'stream_options.include_usage'],
    [{ ...hello, max_tokens: 0 }, 'max_tokens'],
    [{ ...hello, max_tokens: 2.5 }, 'max_tokens'],
    [{ ...hello, demo_token_delay_ms: 1001 }, 'demo_token_delay_ms'],
  ])('refuses a bad body %j naming %s', async (body, param) => {
    const res = await chat(body);
    expect(res.statusCode).toBe(400);
    const error = res.json<{ error: { param: string; message: string; type: string } }>().error;
    expect(error.param).toBe(param);
    expect(error.message.startsWith(`${param}: `)).toBe(true);
    expect(error.type).toBe('invalid_request_error');
  });

  it('refuses malformed JSON and a non-object body with OpenAI-shaped 400s', async () => {
    const broken = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      payload: '{"model":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'body' } });
    const array = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: [1, 2] });
    expect(array.statusCode).toBe(400);
    expect(array.json()).toMatchObject({ error: { param: 'body' } });
  });

  it('refuses prototype poisoning and oversized bodies with OpenAI-shaped errors', async () => {
    const poisoned = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"model":"qwen3-7b-chat","messages":[{"role":"user","content":"x"}],"__proto__":{"admin":true}}',
    });
    expect(poisoned.statusCode).toBe(400);
    expect(poisoned.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'body' } });
    const huge = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload: { ...hello, messages: [{ role: 'user', content: 'x'.repeat(9 * 1024 * 1024) }] },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
    });
  });

  it('refuses a model id that is not a string without echoing it as a model', async () => {
    const res = await chat({ ...hello, model: { $ne: null } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { param: 'model' } });
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    const res = await chat({ ...hello, model: 'qwen3-7b-chat ' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        message: 'The model `qwen3-7b-chat ` does not exist.',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it('streams one SSE event per token, then the finish chunk, the usage chunk and [DONE]', async () => {
    const res = await chat({
      ...hello,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 4,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = sseEvents(res.body);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
    const deltas = chunks.map((c) => (c['choices'] as { delta: Record<string, unknown> }[])[0]?.delta);
    expect(deltas).toEqual([
      { role: 'assistant', content: '' },
      { content: 'qwen3-7b-chat' },
      { content: ' says:' },
      { content: ' hello' },
      { content: ' there' },
      {},
      undefined,
    ]);
    expect(
      chunks.slice(0, -1).every((c) => c['usage'] === null && c['object'] === 'chat.completion.chunk'),
    ).toBe(true);
    expect((chunks[5]!['choices'] as { finish_reason: string }[])[0]!.finish_reason).toBe('length');
    expect(chunks[6]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    // The streamed text is the non-streamed answer, the id too.
    const plain = (await chat({ ...hello, max_tokens: 4 })).json<{
      id: string;
      choices: { message: { content: string } }[];
    }>();
    expect(deltas.map((d) => (d?.['content'] as string | undefined) ?? '').join('')).toBe(
      plain.choices[0]!.message.content,
    );
    expect(new Set(chunks.map((c) => c['id']))).toEqual(new Set([plain.id]));
  });

  it('sends no usage chunk and no usage fields unless asked', async () => {
    const events = sseEvents((await chat({ ...hello, stream: true, max_tokens: 2 })).body);
    expect(events).toHaveLength(1 + 2 + 1 + 1);
    expect(events.slice(0, -1).every((e) => !e.includes('usage'))).toBe(true);
  });

  it('streams byte-identical bodies for the same request', async () => {
    const body = { ...hello, stream: true, stream_options: { include_usage: true } };
    expect((await chat(body)).body).toBe((await chat(body)).body);
  });
});

describe('POST /v1/completions', () => {
  it('answers one choice per prompt with summed usage', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/completions',
      payload: { model: 'qwen3-medical', prompt: ['one two', 'three'], max_tokens: 3 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      object: 'text_completion',
      created: CREATED,
      choices: [
        { index: 0, text: 'qwen3-medical says: one', finish_reason: 'length' },
        { index: 1, text: 'qwen3-medical says: three', finish_reason: 'length' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 },
    });
  });

  it('streams text chunks and [DONE]', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/completions',
      payload: { model: 'qwen3-medical', prompt: 'alpha', max_tokens: 3, stream: true },
    });
    const events = sseEvents(res.body);
    expect(events.at(-1)).toBe('[DONE]');
    const texts = events
      .slice(0, -1)
      .map((e) => (JSON.parse(e) as { choices: { text: string }[] }).choices[0]!.text);
    expect(texts.join('')).toBe('qwen3-medical says: alpha');
  });

  it('refuses a prompt that is not text, naming prompt', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/completions',
      payload: { model: 'qwen3-medical', prompt: [1, 2] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { param: 'prompt' } });
  });
});

describe('POST /v1/embeddings', () => {
  it('returns deterministic unit vectors of dimension 8, as floats or base64', async () => {
    const payload = { model: 'qwen3-7b-chat', input: ['a b', 'c'] };
    const floats = await app.inject({ method: 'POST', url: '/v1/embeddings', payload });
    const body = floats.json<{
      data: { index: number; embedding: number[] }[];
      usage: { prompt_tokens: number };
    }>();
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    for (const { embedding } of body.data) {
      expect(embedding).toHaveLength(8);
      expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    }
    expect(body.data[0]!.embedding).not.toEqual(body.data[1]!.embedding);
    expect(body.usage.prompt_tokens).toBe(3);
    expect((await app.inject({ method: 'POST', url: '/v1/embeddings', payload })).body).toBe(floats.body);

    const b64 = await app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      payload: { ...payload, encoding_format: 'base64' },
    });
    const raw = Buffer.from(b64.json<{ data: { embedding: string }[] }>().data[0]!.embedding, 'base64');
    const decoded = Array.from({ length: 8 }, (_, i) => raw.readFloatLE(i * 4));
    expect(decoded).toEqual(body.data[0]!.embedding);
  });

  it('refuses a bad encoding_format by name', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      payload: { model: 'qwen3-7b-chat', input: 'x', encoding_format: 'hex' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { param: 'encoding_format' } });
  });
});

describe('POST /v1/fine_tuning/jobs', () => {
  it('answers a queued fine_tuning.job', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/fine_tuning/jobs',
      payload: { model: 'internlm3-finance', training_file: 'file-abc' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      object: 'fine_tuning.job',
      id: expect.stringMatching(/^ftjob-[0-9a-f]{24}$/),
      model: 'internlm3-finance',
      status: 'queued',
      training_file: 'file-abc',
      created_at: CREATED,
    });
  });

  it('refuses a missing training_file and an unknown model', async () => {
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/fine_tuning/jobs',
      payload: { model: 'internlm3-finance' },
    });
    expect(missing.json()).toMatchObject({ error: { param: 'training_file' } });
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/fine_tuning/jobs',
      payload: { model: 'x', training_file: 'file-abc' },
    });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('engine admin routes and the request log', () => {
  it.each([
    ['POST', '/v1/load_lora_adapter'],
    ['POST', '/v1/unload_lora_adapter'],
    ['POST', '/reset_prefix_cache'],
    ['POST', '/sleep'],
    ['POST', '/wake_up'],
    ['GET', '/metrics'],
    ['POST', '/tokenize'],
    ['POST', '/detokenize'],
    ['GET', '/version'],
    ['GET', '/health'],
  ] as const)('%s %s answers and is recorded', async (method, url) => {
    const res = await app.inject({
      method,
      url,
      ...(method === 'POST' ? { payload: { lora_name: 'x', prompt: 'a b' } } : {}),
    });
    expect(res.statusCode).toBe(200);
    expect((await recorded()).map((r) => `${r.method} ${r.path}`)).toEqual([`${method} ${url}`]);
  });

  it('records model, headers with credentials cut to the scheme, and status; DELETE resets', async () => {
    await app.inject({
      method: 'POST',
      url: '/v1/chat/completions?x=1',
      headers: { authorization: 'Bearer sk-secret-value', 'X-Trace': 'abc' },
      payload: hello,
    });
    await app.inject({ method: 'GET', url: '/v1/models/qwen3-medical' });
    await app.inject({ method: 'GET', url: '/health/ready' });
    const items = await recorded();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'qwen3-7b-chat',
      authorization_present: true,
      authorization_fingerprint: fingerprint('Bearer sk-secret-value'),
      aborted: false,
      status: 200,
    });
    expect(items[0]!.headers['authorization']).toBe('Bearer');
    expect(items[0]!.headers['x-trace']).toBe('abc');
    expect(JSON.stringify(items)).not.toContain('sk-secret-value');
    expect(items[1]).toMatchObject({
      path: '/v1/models/qwen3-medical',
      model: 'qwen3-medical',
      authorization_present: false,
    });

    expect((await app.inject({ method: 'DELETE', url: '/__demo/requests' })).statusCode).toBe(204);
    expect(await recorded()).toEqual([]);
  });

  it('answers OpenAI-shaped 404 on unknown routes', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/no_such_route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('DEMO_API_KEY', () => {
  let guarded: FastifyInstance;
  beforeEach(() => {
    guarded = buildDemoEngine({
      config: { DEMO_MODELS: DEFAULT_DEMO_MODELS, DEMO_API_KEY: 'upstream-key-123' },
    });
  });
  afterEach(async () => {
    await guarded.close();
  });

  it('requires the bearer key on every /v1 route, and records the refused request', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-key-123',
      'upstream-key-123',
      'bearer upstream-key-123',
      'Bearer upstream-key-1234',
    ]) {
      const res = await guarded.inject({
        method: 'GET',
        url: '/v1/models',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    }
    const unauthorizedLoad = await guarded.inject({
      method: 'POST',
      url: '/v1/load_lora_adapter',
      payload: {},
    });
    expect(unauthorizedLoad.statusCode).toBe(401);
    const ok = await guarded.inject({
      method: 'GET',
      url: '/v1/models',
      headers: { authorization: 'Bearer upstream-key-123' },
    });
    expect(ok.statusCode).toBe(200);
    expect((await guarded.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const log = (await guarded.inject({ method: 'GET', url: '/__demo/requests' })).json<{
      items: RecordedRequest[];
    }>().items;
    expect(log.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 401, 200]);
  });
});
