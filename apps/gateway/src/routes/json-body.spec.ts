// The proxied routes' body reader on a real node:http server, with the bodies a hostile client sends.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BODY_PROBLEMS, readJsonBody, type JsonBody } from './json-body';

const LIMIT = 1024;
let server: Server;
let port: number;
let last: Promise<JsonBody> = Promise.resolve({ kind: 'gone' });

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    last = readJsonBody(req, LIMIT);
    void last.then((outcome) => res.end(JSON.stringify(outcome)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends `body` (in pieces when an array: chunked) with `headers`; resolves with what the reader made of it. */
function send(headers: Record<string, string>, body?: string | string[]): Promise<JsonBody> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(last));
    });
    req.on('error', reject);
    for (const piece of Array.isArray(body) ? body : body === undefined ? [] : [body]) req.write(piece);
    req.end();
  });
}

const json = { 'content-type': 'application/json' };

describe('readJsonBody', () => {
  it('parses a JSON body, with or without a UTF-8 charset, chunked or not', async () => {
    expect(await send(json, '{"model":"m","n":1}')).toEqual({ kind: 'read', value: { model: 'm', n: 1 } });
    expect(await send({ 'content-type': 'Application/JSON; charset=UTF-8' }, '{"a":"ü"}')).toEqual({
      kind: 'read',
      value: { a: 'ü' },
    });
    expect(await send(json, ['{"a":', '[1,2', ']}'])).toEqual({ kind: 'read', value: { a: [1, 2] } });
  });

  it('refuses prototype poisoning, as Fastify does', async () => {
    for (const body of ['{"__proto__":{"admin":true}}', '{"a":{"constructor":{"prototype":{"x":1}}}}']) {
      expect(await send(json, body), body).toEqual({ kind: 'refused', problem: BODY_PROBLEMS.invalidJson });
    }
  });

  it('refuses what is not JSON, nothing at all, and other media types or charsets', async () => {
    expect(await send(json, '{"a":')).toEqual({ kind: 'refused', problem: BODY_PROBLEMS.invalidJson });
    expect(await send(json, '\u0000')).toEqual({ kind: 'refused', problem: BODY_PROBLEMS.invalidJson });
    expect(await send({ ...json, 'content-length': '0' })).toEqual({
      kind: 'refused',
      problem: BODY_PROBLEMS.empty,
    });
    for (const type of [
      'text/plain',
      'application/jsonx',
      'application/json; charset=latin1',
      'multipart/form-data',
    ]) {
      expect(await send({ 'content-type': type }, '{}'), type).toEqual({
        kind: 'refused',
        problem: BODY_PROBLEMS.mediaType,
      });
    }
    expect(await send({}, '{}')).toEqual({ kind: 'refused', problem: BODY_PROBLEMS.mediaType });
  });

  it('takes a request with no body and no content type as having no body', async () => {
    expect(await send({ 'content-length': '0' })).toEqual({ kind: 'read' });
  });

  it('refuses a body over the limit from its Content-Length, and one that grows past it while read', async () => {
    expect(await send({ ...json, 'content-length': String(LIMIT + 1) }, 'x')).toEqual({
      kind: 'refused',
      problem: BODY_PROBLEMS.tooLarge,
    });
    const pieces = Array.from({ length: 8 }, () => ' '.repeat(200));
    expect(await send(json, pieces)).toEqual({ kind: 'refused', problem: BODY_PROBLEMS.tooLarge });
  });

  it('reports a client that goes away mid-body as gone', async () => {
    await new Promise<void>((resolve) => {
      const req = request({
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/',
        headers: { ...json, 'content-length': '500' },
      });
      req.on('error', () => undefined);
      req.write('{"a":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    await expect.poll(async () => (await last).kind).toBe('gone');
  });
});
