// The channel against a real grpc-js server (the decision service's own server library) and,
// for answers no honest server sends, a raw node:http2 server.
import {
  connect,
  createServer,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type Http2Server,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DECISION_PROTO_LOADER_OPTIONS, DECISION_PROTO_PATH } from '@modelgate/contracts/grpc';
import { GrpcCode, GrpcStatusError } from './grpc-status';
import { GrpcUnaryChannel, type UnaryMethod } from './unary-channel';

const definition = loadSync(DECISION_PROTO_PATH, { ...DECISION_PROTO_LOADER_OPTIONS });
const service = (
  loadPackageDefinition(definition) as unknown as {
    modelgate: { decision: { v1: { DecisionService: { service: ServiceDefinition } } } };
  }
).modelgate.decision.v1.DecisionService.service;
const list = definition['modelgate.decision.v1.DecisionService'] as Record<
  string,
  {
    path: string;
    requestSerialize(v: object): Buffer;
    responseDeserialize(b: Buffer): object;
  }
>;
const LIST: UnaryMethod<object, { decision_id?: string; models?: string[] }> = {
  path: list['ListVisibleModels']!.path,
  serialize: (v) => list['ListVisibleModels']!.requestSerialize(v),
  deserialize: (b) => list['ListVisibleModels']!.responseDeserialize(b),
};

type Handler = (
  call: ServerUnaryCall<{ models?: string[] }, unknown>,
  callback: sendUnaryData<unknown>,
) => void;

const echo: Handler = (call, callback) =>
  callback(null, { decision_id: String(call.metadata.get('x-request-id')[0]), models: call.request.models });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function grpcServer(handler: Handler, port = 0): Promise<{ server: Server; port: number }> {
  const server = new Server();
  const unimplemented = (_: unknown, cb: sendUnaryData<unknown>) => cb({ code: GrpcCode.UNIMPLEMENTED });
  server.addService(service, {
    Check: unimplemented,
    CheckBatch: unimplemented,
    Explain: unimplemented,
    ListVisibleModels: handler,
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  cleanups.push(() => server.forceShutdown());
  return { server, port: bound };
}

async function rawServer(answer: (stream: ServerHttp2Stream) => void): Promise<number> {
  const server: Http2Server = createServer();
  server.on('stream', (stream) => {
    stream.on('data', () => undefined);
    stream.on('end', () => answer(stream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

function channel(port: number): GrpcUnaryChannel {
  const c = new GrpcUnaryChannel(`127.0.0.1:${port}`, { initialBackoffMs: 50, maxBackoffMs: 200 });
  cleanups.push(() => c.close());
  return c;
}

async function failure(p: Promise<unknown>): Promise<GrpcStatusError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrpcStatusError);
  return error as GrpcStatusError;
}

function grpcFrame(message: Buffer, compressed = 0): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame[0] = compressed;
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

describe('GrpcUnaryChannel against grpc-js', () => {
  it('sends the request and metadata and decodes the answer, many calls on one connection', async () => {
    const { port } = await grpcServer(echo);
    const c = channel(port);
    await c.ready(2_000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        c.call(LIST, { models: [`m${i}`, 'x'] }, { 'x-request-id': `r${i}` }, 2_000),
      ),
    );
    answers.forEach((a, i) => expect(a).toEqual({ decision_id: `r${i}`, models: [`m${i}`, 'x'] }));
  });

  it("passes the server's status and its message (percent-encoded on the wire)", async () => {
    const { port } = await grpcServer((_, cb) =>
      cb({ code: GrpcCode.PERMISSION_DENIED, details: 'nö: denied, 100%' }),
    );
    const e = await failure(channel(port).call(LIST, {}, {}, 2_000));
    expect(e.code).toBe(GrpcCode.PERMISSION_DENIED);
    expect(e.details).toBe('nö: denied, 100%');
    expect(e.message).toBe('7: nö: denied, 100%');
  });

  it('sends its deadline, gives up when it passes and cancels the call on the server', async () => {
    let cancelled = false;
    let deadlineLeftMs = NaN;
    const { port } = await grpcServer((call) => {
      deadlineLeftMs = Number(call.getDeadline()) - Date.now();
      call.on('cancelled', () => (cancelled = true));
    });
    const c = channel(port);
    await c.ready(2_000);
    const started = Date.now();
    const e = await failure(c.call(LIST, {}, {}, 150));
    expect(e.code).toBe(GrpcCode.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(deadlineLeftMs).toBeGreaterThan(50);
    expect(deadlineLeftMs).toBeLessThanOrEqual(150);
    await expect.poll(() => cancelled, { timeout: 2_000 }).toBe(true);
  });

  it('fails fast while nothing listens, and connects once the server is there', async () => {
    const { server, port } = await grpcServer(echo);
    server.forceShutdown();
    const c = channel(port);
    const first = await failure(c.call(LIST, {}, {}, 2_000));
    expect(first.code).toBe(GrpcCode.UNAVAILABLE);
    // Within the backoff: refused at once, no connection attempt.
    const started = Date.now();
    expect((await failure(c.call(LIST, {}, {}, 2_000))).code).toBe(GrpcCode.UNAVAILABLE);
    expect(Date.now() - started).toBeLessThan(20);
    await expect(c.ready(2_000)).rejects.toBeInstanceOf(GrpcStatusError);

    await grpcServer(echo, port);
    await expect
      .poll(
        () =>
          c.call(LIST, { models: ['a'] }, { 'x-request-id': 'back' }, 1_000).then(
            (a) => a.decision_id,
            () => null,
          ),
        { timeout: 3_000, interval: 60 },
      )
      .toBe('back');
  });

  it('opens a new connection after the server restarts', async () => {
    const first = await grpcServer(echo);
    const c = channel(first.port);
    expect((await c.call(LIST, {}, { 'x-request-id': 'one' }, 1_000)).decision_id).toBe('one');
    first.server.forceShutdown();
    await grpcServer(echo, first.port);
    await expect
      .poll(
        () =>
          c.call(LIST, {}, { 'x-request-id': 'two' }, 1_000).then(
            (a) => a.decision_id,
            () => null,
          ),
        { timeout: 3_000, interval: 60 },
      )
      .toBe('two');
  });

  it('refuses metadata gRPC does not allow, and sends nothing', async () => {
    let calls = 0;
    const { port } = await grpcServer((call, cb) => {
      calls += 1;
      echo(call, cb);
    });
    const c = channel(port);
    const hostile: Record<string, string>[] = [
      { 'x-request-id': 'a\r\nx-forged: 1' },
      { 'x-request-id': 'tab\there' },
      { 'x-request-id': 'naïve' },
      { 'X-Upper': 'v' },
      { 'grpc-timeout': '1000S' },
      { ':path': '/other' },
      { 'content-type': 'text/plain' },
      { te: 'gzip' },
      { '': 'v' },
    ];
    for (const metadata of hostile) {
      const e = await failure(c.call(LIST, {}, metadata, 1_000));
      expect(e.code).toBe(GrpcCode.INTERNAL);
    }
    expect(calls).toBe(0);
    expect((await c.call(LIST, {}, { 'x-request-id': 'fine-1.2_3' }, 1_000)).decision_id).toBe('fine-1.2_3');
  });

  it('is closed for good after close()', async () => {
    const { port } = await grpcServer(echo);
    const c = channel(port);
    c.close();
    expect((await failure(c.call(LIST, {}, {}, 1_000))).code).toBe(GrpcCode.UNAVAILABLE);
  });
});

describe('GrpcUnaryChannel against answers that are not gRPC', () => {
  const empty = Buffer.alloc(0);
  const cases: { name: string; code: number; answer: (s: ServerHttp2Stream) => void }[] = [
    {
      name: 'an HTTP 503 (a proxy in between)',
      code: GrpcCode.UNAVAILABLE,
      answer: (s) => {
        s.respond({ ':status': 503 });
        s.end('busy');
      },
    },
    {
      name: 'an HTTP 404',
      code: GrpcCode.UNIMPLEMENTED,
      answer: (s) => {
        s.respond({ ':status': 404 });
        s.end();
      },
    },
    {
      name: 'a message with no grpc-status',
      code: GrpcCode.INTERNAL,
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' });
        s.end(grpcFrame(empty));
      },
    },
    {
      name: 'a compressed message',
      code: GrpcCode.INTERNAL,
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
        s.end(grpcFrame(Buffer.from([0x0a, 0x01, 0x78]), 1));
      },
    },
    {
      name: 'a length prefix that disagrees with the bytes',
      code: GrpcCode.INTERNAL,
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
        const frame = grpcFrame(Buffer.from([0x0a, 0x01, 0x78]));
        frame.writeUInt32BE(200, 1);
        s.end(frame);
      },
    },
    {
      name: 'bytes that are no protobuf message',
      code: GrpcCode.INTERNAL,
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
        // A truncated field: protobufjs refuses it. (It is lenient with much else, which is
        // why the decision client checks every field of what it decodes.)
        s.end(grpcFrame(Buffer.from([0xff])));
      },
    },
    {
      name: 'an unreadable grpc-status',
      code: GrpcCode.UNKNOWN,
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': 'ok' });
        s.end();
      },
    },
    {
      name: 'an endless answer',
      code: GrpcCode.INTERNAL,
      answer: (s) => {
        s.respond({ ':status': 200, 'content-type': 'application/grpc' });
        const chunk = Buffer.alloc(256 * 1024);
        const more = (): void => {
          while (!s.destroyed && s.write(chunk));
          if (!s.destroyed) s.once('drain', more);
        };
        s.on('error', () => undefined);
        more();
      },
    },
  ];
  for (const { name, code, answer } of cases) {
    it(`fails ${name} with ${code}`, async () => {
      const port = await rawServer(answer);
      const e = await failure(channel(port).call(LIST, {}, {}, 3_000));
      expect(e.code).toBe(code);
    });
  }

  it('reads a trailers-only error answer', async () => {
    const port = await rawServer((s) => {
      s.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '14',
          'grpc-message': 'draining',
        },
        { endStream: true },
      );
    });
    const e = await failure(channel(port).call(LIST, {}, {}, 1_000));
    expect([e.code, e.details]).toEqual([GrpcCode.UNAVAILABLE, 'draining']);
  });
});

describe('GrpcUnaryChannel lets go of a finished call', () => {
  // What the channel's listeners hold (the call's promise, and through it the caller's request)
  // must not live as long as the closed stream, which V8 keeps through scavenges.
  /** The streams the channel opens from now on. */
  async function streamsOf(c: GrpcUnaryChannel, port: number): Promise<() => ClientHttp2Stream[]> {
    const probe = connect(`http://127.0.0.1:${port}`);
    const proto = Object.getPrototypeOf(probe) as ClientHttp2Session;
    probe.destroy();
    const request = vi.spyOn(proto, 'request');
    cleanups.push(() => request.mockRestore());
    await c.ready(2_000);
    return () => request.mock.results.map((r) => r.value as ClientHttp2Stream);
  }

  function callListeners(stream: ClientHttp2Stream): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const event of ['response', 'trailers', 'data', 'close'])
      counts[event] = stream.listenerCount(event);
    return counts;
  }

  it('removes its listeners once an answered stream closes, and keeps one for late errors', async () => {
    const { port } = await grpcServer(echo);
    const c = channel(port);
    const streams = await streamsOf(c, port);
    await c.call(LIST, { models: ['m'] }, { 'x-request-id': 'r' }, 2_000);
    expect(streams()).toHaveLength(1);
    const stream = streams()[0]!;
    expect(stream.closed).toBe(true);
    expect(callListeners(stream)).toEqual({ response: 0, trailers: 0, data: 0, close: 0 });
    expect(stream.listenerCount('error')).toBe(1);
    expect(() => stream.emit('error', new Error('late'))).not.toThrow();
  });

  it('removes them too when the deadline passed first, once the cancelled stream closes', async () => {
    const { port } = await grpcServer(() => undefined);
    const c = channel(port);
    const streams = await streamsOf(c, port);
    const e = await failure(c.call(LIST, {}, {}, 100));
    expect(e.code).toBe(GrpcCode.DEADLINE_EXCEEDED);
    const stream = streams()[0]!;
    await expect
      .poll(() => stream.closed && stream.listenerCount('close') === 0, { timeout: 2_000 })
      .toBe(true);
    expect(callListeners(stream)).toEqual({ response: 0, trailers: 0, data: 0, close: 0 });
  });
});
