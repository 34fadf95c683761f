// The engine on a real socket: a client that goes away mid-stream stops the generation and
// is recorded as aborted (what the gateway's cancellation tests look for upstream).
import type { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_MODELS } from './config/demo-engine.config';
import type { RecordedRequest } from './request-log/request-log';
import { buildDemoEngine } from './server';

let app: FastifyInstance;
let base: string;
beforeEach(async () => {
  app = buildDemoEngine({ config: { DEMO_MODELS: DEFAULT_DEMO_MODELS, DEMO_API_KEY: undefined } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await app.close();
});

const records = async (): Promise<RecordedRequest[]> =>
  ((await (await fetch(`${base}/__demo/requests`)).json()) as { items: RecordedRequest[] }).items;

describe('demo engine over a socket', () => {
  it('stops a slow stream when the client disconnects and records it as aborted', async () => {
    const body = JSON.stringify({
      model: 'qwen3-7b-chat',
      messages: [{ role: 'user', content: 'slow please' }],
      stream: true,
      max_tokens: 1000,
      demo_token_delay_ms: 20,
    });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${base}/v1/chat/completions`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            received.push(chunk);
            // A few tokens in, the client gives up.
            if (received.join('').split('\n\n').length > 4) {
              req.destroy();
              resolve();
            }
          });
        },
      );
      req.on('error', (error) => (received.length > 0 ? resolve() : reject(error)));
      req.end(body);
    });
    await new Promise((r) => setTimeout(r, 150));
    const [entry] = await records();
    expect(entry).toMatchObject({
      path: '/v1/chat/completions',
      model: 'qwen3-7b-chat',
      aborted: true,
      status: 200,
    });
    expect(received.join('')).not.toContain('[DONE]');
  });

  it('does not mark a stream read to the end as aborted', async () => {
    const res = await fetch(`${base}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen3-medical', prompt: 'hi', stream: true, demo_token_delay_ms: 1 }),
    });
    expect((await res.text()).endsWith('data: [DONE]\n\n')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect((await records())[0]).toMatchObject({ aborted: false, status: 200 });
  });
});
