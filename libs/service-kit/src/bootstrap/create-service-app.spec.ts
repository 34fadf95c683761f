import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, serviceConfigShape } from '@modelgate/config';
import { createLogger } from '@modelgate/telemetry';
import { z } from 'zod';
import { ReadinessRegistry } from '../health/readiness';
import { createServiceApp } from './create-service-app';
import { RawRequests } from './raw-requests';

/** A dependency whose health the test flips. */
@Injectable()
class FakeDependency implements OnModuleInit {
  up = true;
  constructor(@Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry) {}
  onModuleInit(): void {
    this.readiness.register({
      name: 'fake',
      check: () => (this.up ? Promise.resolve() : Promise.reject(new Error('connection refused'))),
    });
  }
}

@Controller('boom')
class BoomController {
  @Get('internal')
  internal(): never {
    throw new Error('secret detail: password=hunter2');
  }
  @Get('missing')
  missing(): never {
    throw new NotFoundException('no such thing');
  }
}

@Module({ providers: [FakeDependency], controllers: [BoomController], exports: [FakeDependency] })
class FakeModule {}

describe('createServiceApp', () => {
  let app: NestFastifyApplication;
  let dependency: FakeDependency;

  beforeAll(async () => {
    const config = loadConfig(z.object(serviceConfigShape({ port: 3999 })), {});
    app = await createServiceApp({
      name: 'test',
      config,
      imports: [FakeModule],
      logger: createLogger('test', 'silent'),
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    dependency = app.get(FakeDependency);
  });
  afterAll(() => app.close());

  it('answers liveness without asking dependencies', async () => {
    dependency.up = false;
    const res = await app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
  });

  it('is ready only while every dependency answers', async () => {
    dependency.up = true;
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    dependency.up = false;
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      ready: false,
      checks: { fake: { ok: false, error: 'connection refused' } },
    });
  });

  it('echoes a safe request id and replaces a hostile one', async () => {
    const ok = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(ok.headers['x-request-id']).toBe('abc-123');
    const hostile = await app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'a\r\nb {"level":"fatal"}' },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('hides internals of 500s and keeps the OpenAI error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom/internal' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json()).toMatchObject({ error: { message: 'internal error', type: 'server_error' } });
    expect(res.json<{ error: { request_id: string } }>().error.request_id).toBe(res.headers['x-request-id']);
  });

  it('maps HTTP exceptions to OpenAI error types', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom/missing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { message: 'no such thing', type: 'not_found_error' } });
  });

  it('answers malformed JSON with a 400 in the same shape', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/boom/missing',
      headers: { 'content-type': 'application/json' },
      payload: '{bad',
    });
    expect([400, 404]).toContain(res.statusCode);
    expect(res.json()).toHaveProperty('error.type');
  });
});

describe('createServiceApp behind a trusted proxy', () => {
  const ipOf = async (env: Record<string, string>, headers: Record<string, string>) => {
    const config = loadConfig(z.object(serviceConfigShape({ port: 3999 })), env);
    const app = await createServiceApp({
      name: 'test',
      config,
      imports: [],
      logger: createLogger('test', 'silent'),
    });
    const fastify = app.getHttpAdapter().getInstance();
    fastify.get('/ip', (request) => ({ ip: request.ip }));
    await app.init();
    await fastify.ready();
    try {
      // inject() connects from 127.0.0.1.
      const res = await fastify.inject({ method: 'GET', url: '/ip', headers });
      return res.json<{ ip: string }>().ip;
    } finally {
      await app.close();
    }
  };

  it('ignores X-Forwarded-For unless the peer is in TRUSTED_PROXIES', async () => {
    expect(await ipOf({}, { 'x-forwarded-for': '10.1.2.3' })).toBe('127.0.0.1');
    expect(await ipOf({ TRUSTED_PROXIES: '10.0.0.0/8' }, { 'x-forwarded-for': '10.1.2.3' })).toBe(
      '127.0.0.1',
    );
  });

  it('takes the rightmost untrusted hop from a trusted peer', async () => {
    const env = { TRUSTED_PROXIES: '127.0.0.1/32' };
    expect(await ipOf(env, { 'x-forwarded-for': '198.51.100.7' })).toBe('198.51.100.7');
    // A client-written address to the left of the one the proxy appended is not believed.
    expect(await ipOf(env, { 'x-forwarded-for': '10.9.9.9, 198.51.100.7' })).toBe('198.51.100.7');
  });
});

describe('createServiceApp with a raw request handler', () => {
  it('gives the raw handler the first turn on the real server, and Fastify what it leaves', async () => {
    const config = loadConfig(z.object(serviceConfigShape({ port: 3999 })), {});
    const app = await createServiceApp({
      name: 'raw',
      config,
      imports: [],
      logger: createLogger('test', 'silent'),
    });
    try {
      const raw = app.get(RawRequests);
      raw.use((req, res) => {
        if (req.url !== '/raw') return false;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('raw answer');
        return true;
      });
      expect(() => raw.use(() => false)).toThrow(/already installed/);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const server = app.getHttpServer();
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // The timeouts Fastify gives a server it makes itself.
      expect([server.keepAliveTimeout, server.requestTimeout]).toEqual([72_000, 0]);
      expect(await (await fetch(`${base}/raw`)).text()).toBe('raw answer');
      const live = await fetch(`${base}/health/live`);
      expect(live.status).toBe(200);
      expect(live.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await app.close();
    }
  });
});
