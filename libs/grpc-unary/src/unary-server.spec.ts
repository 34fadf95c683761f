// The server against grpc-js's client (the reference implementation of the protocol), against
// this library's channel, and against raw node:http2 requests no honest client sends.
import {
  connect,
  constants,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GrpcCode, GrpcStatusError } from './grpc-status';
import { frameMessage } from './message-frame';
import { GrpcUnaryChannel, type UnaryMethod } from './unary-channel';
import { firstMetadata, GrpcUnaryServer, type UnaryHandler } from './unary-server';

interface Echo {
  readonly text: string;
  readonly requestId?: string;
}

const json = {
  serialize: (value: unknown): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): Echo => {
    const value = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || typeof (value as Echo).text !== 'string')
      throw new Error('expected {"text": string}');
    return value as Echo;
  },
};

type Handle = UnaryHandler<Echo, Echo>['handle'];

const echo: Handle = (request, metadata) => ({
  text: request.text,
  requestId: firstMetadata(metadata, 'x-request-id') ?? '',
});

const ECHO_PATH = '/test.v1.Echo/Say';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(
  handle: Handle = echo,
  options: ConstructorParameters<typeof GrpcUnaryServer>[1] = {},
): Promise<{ server: GrpcUnaryServer; port: number }> {
  const s = new GrpcUnaryServer([{ path: ECHO_PATH, ...json, handle }], options);
  const port = await s.listen(0, '127.0.0.1');
  cleanups.push(() => s.close(100));
  return { server: s, port };
}

function grpcJsClient(port: number): Client {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  cleanups.push(() => client.close());
  return client;
}

function grpcJsCall(
  client: Client,
  request: unknown,
  options: { metadata?: Metadata; deadlineMs?: number; path?: string } = {},
): Promise<Echo> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      options.path ?? ECHO_PATH,
      json.serialize,
      json.deserialize,
      request,
      options.metadata ?? new Metadata(),
      options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs },
      (error: ServiceError | null, answer?: Echo) => (error ? reject(error) : resolve(answer!)),
    ),
  );
}

async function grpcJsFailure(p: Promise<unknown>): Promise<ServiceError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).not.toBeNull();
  return error as ServiceError;
}

interface RawAnswer {
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders | null;
  readonly body: Buffer;
  /** grpc-status from the trailers, or from the headers of a trailers-only answer. */
  readonly status: number | null;
  readonly message: string;
}

function rawSession(port: number): ClientHttp2Session {
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  cleanups.push(() => void session.destroy());
  return session;
}

/** One request written by hand: any headers, any bytes. */
function raw(port: number, headers: OutgoingHttpHeaders, body: Buffer | Buffer[]): Promise<RawAnswer> {
  const session = rawSession(port);
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': ECHO_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let answerHeaders: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | null = null;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (answerHeaders = h));
    stream.on('trailers', (t: IncomingHttpHeaders) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('close', () => {
      const from = trailers ?? answerHeaders;
      const code = from['grpc-status'];
      resolve({
        headers: answerHeaders,
        trailers,
        body: Buffer.concat(chunks),
        status: code === undefined ? null : Number(code),
        message: decodeURIComponent(String(from['grpc-message'] ?? '')),
      });
    });
    // A GET has no body: node:http2 ends its stream with the headers.
    if (headers[':method'] === 'GET') return;
    for (const part of Array.isArray(body) ? body : [body]) stream.write(part);
    stream.end();
  });
}

const hello = frameMessage(json.serialize({ text: 'hello' }));

describe('GrpcUnaryServer with grpc-js as the client', () => {
  it('answers many concurrent calls on one connection, with their metadata', async () => {
    const { port } = await server();
    const client = grpcJsClient(port);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const metadata = new Metadata();
        metadata.set('x-request-id', `r${i}`);
        return grpcJsCall(client, { text: `t${i} ✓` }, { metadata, deadlineMs: 2_000 });
      }),
    );
    answers.forEach((a, i) => expect(a).toEqual({ text: `t${i} ✓`, requestId: `r${i}` }));
  });

  it("passes a handler's GrpcStatusError as its status, the message intact (percent-encoded on the wire)", async () => {
    const { port } = await server(() => {
      throw new GrpcStatusError(GrpcCode.INVALID_ARGUMENT, 'model: ünknown, 100% sure\nreally');
    });
    const e = await grpcJsFailure(grpcJsCall(grpcJsClient(port), { text: 'x' }));
    expect(e.code).toBe(status.INVALID_ARGUMENT);
    expect(e.details).toBe('model: ünknown, 100% sure\nreally');
  });

  it('maps any other error through statusOf, sync or async, and reveals nothing of it by default', async () => {
    const seen: string[] = [];
    const { port } = await server(
      (request) => {
        if (request.text === 'sync') throw new Error('secret path /etc/x');
        return Promise.reject(new Error('async secret'));
      },
      {
        statusOf: (error, path) => {
          seen.push(`${path} ${(error as Error).message}`);
          return { code: GrpcCode.UNAVAILABLE, message: 'try later' };
        },
      },
    );
    const client = grpcJsClient(port);
    for (const text of ['sync', 'async']) {
      const e = await grpcJsFailure(grpcJsCall(client, { text }));
      expect([e.code, e.details]).toEqual([status.UNAVAILABLE, 'try later']);
    }
    expect(seen).toEqual([`${ECHO_PATH} secret path /etc/x`, `${ECHO_PATH} async secret`]);

    const plain = await server(() => {
      throw new Error('secret');
    });
    const e = await grpcJsFailure(grpcJsCall(grpcJsClient(plain.port), { text: 'x' }));
    expect([e.code, e.details]).toEqual([status.INTERNAL, 'internal error']);
  });

  it('answers UNIMPLEMENTED for a method it does not have', async () => {
    const { port } = await server();
    const e = await grpcJsFailure(
      grpcJsCall(grpcJsClient(port), { text: 'x' }, { path: '/test.v1.Echo/Other' }),
    );
    expect(e.code).toBe(status.UNIMPLEMENTED);
    expect(e.details).toContain('/test.v1.Echo/Other');
  });

  it('answers INTERNAL for a request its codec refuses, and the handler never sees it', async () => {
    let calls = 0;
    const { port } = await server((r, m) => {
      calls += 1;
      return echo(r, m);
    });
    const e = await grpcJsFailure(grpcJsCall(grpcJsClient(port), { other: 1 }));
    expect(e.code).toBe(status.INTERNAL);
    expect(e.details).toContain('request not decodable');
    expect(calls).toBe(0);
  });
});

describe('GrpcUnaryServer with this library’s channel', () => {
  const SAY: UnaryMethod<Echo, Echo> = { path: ECHO_PATH, ...json };

  it('round-trips calls, metadata and errors', async () => {
    const { port } = await server((request, metadata) =>
      request.text === 'deny'
        ? Promise.reject(new GrpcStatusError(GrpcCode.PERMISSION_DENIED, 'no'))
        : echo(request, metadata),
    );
    const channel = new GrpcUnaryChannel(`127.0.0.1:${port}`);
    cleanups.push(() => channel.close());
    expect(await channel.call(SAY, { text: 'a' }, { 'x-request-id': 'q1' }, 1_000)).toEqual({
      text: 'a',
      requestId: 'q1',
    });
    const e = await channel.call(SAY, { text: 'deny' }, {}, 1_000).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GrpcStatusError);
    expect([(e as GrpcStatusError).code, (e as GrpcStatusError).details]).toEqual([
      GrpcCode.PERMISSION_DENIED,
      'no',
    ]);
  });
});

describe('GrpcUnaryServer against requests that are not one gRPC message', () => {
  const cases: { name: string; headers?: OutgoingHttpHeaders; body: Buffer | Buffer[]; code: number }[] = [
    { name: 'no message at all', body: Buffer.alloc(0), code: GrpcCode.INTERNAL },
    { name: 'a truncated prefix', body: Buffer.from([0, 0, 0]), code: GrpcCode.INTERNAL },
    {
      name: 'a length longer than the bytes',
      body: Buffer.concat([Buffer.from([0, 0, 0, 1, 0]), Buffer.from('{}')]),
      code: GrpcCode.INTERNAL,
    },
    { name: 'two messages in a unary call', body: [hello, hello], code: GrpcCode.INTERNAL },
    {
      name: 'a message flagged compressed',
      body: Buffer.concat([Buffer.from([1]), hello.subarray(1)]),
      code: GrpcCode.INTERNAL,
    },
    {
      name: 'an offered compression',
      headers: { 'grpc-encoding': 'gzip' },
      body: hello,
      code: GrpcCode.UNIMPLEMENTED,
    },
    {
      name: 'an unreadable grpc-timeout',
      headers: { 'grpc-timeout': '1000000000m' },
      body: hello,
      code: GrpcCode.OUT_OF_RANGE,
    },
    {
      name: 'a grpc-timeout without a unit',
      headers: { 'grpc-timeout': '100' },
      body: hello,
      code: GrpcCode.OUT_OF_RANGE,
    },
    {
      name: 'bytes its codec refuses',
      body: frameMessage(Buffer.from([0xff, 0xfe])),
      code: GrpcCode.INTERNAL,
    },
  ];
  for (const { name, headers, body, code } of cases) {
    it(`answers ${name} with status ${code} and no message`, async () => {
      let calls = 0;
      const { port } = await server((r, m) => {
        calls += 1;
        return echo(r, m);
      });
      const answer = await raw(port, headers ?? {}, body);
      expect(answer.headers[':status']).toBe(200);
      expect(answer.status).toBe(code);
      expect(answer.body.length).toBe(0);
      expect(calls).toBe(0);
    });
  }

  it('answers a well-formed request written by hand, trailers after the message', async () => {
    const { port } = await server();
    const answer = await raw(port, { 'x-request-id': 'raw-1', 'grpc-timeout': '2S' }, hello);
    expect(answer.headers['content-type']).toBe('application/grpc');
    expect(answer.trailers?.['grpc-status']).toBe('0');
    expect(json.deserialize(answer.body.subarray(5))).toEqual({ text: 'hello', requestId: 'raw-1' });
  });

  it('refuses what is not gRPC with HTTP statuses: a GET 405, another content type 415', async () => {
    const { port } = await server();
    expect((await raw(port, { ':method': 'GET' }, Buffer.alloc(0))).headers[':status']).toBe(405);
    expect((await raw(port, { 'content-type': 'application/json' }, hello)).headers[':status']).toBe(415);
  });

  it('refuses a request over the size limit without reading it all', async () => {
    let calls = 0;
    const { port } = await server(
      (r, m) => {
        calls += 1;
        return echo(r, m);
      },
      { maxMessageBytes: 1024 },
    );
    const huge = frameMessage(json.serialize({ text: 'x'.repeat(64 * 1024) }));
    const answer = await raw(port, {}, huge);
    expect([answer.status, answer.message]).toEqual([
      GrpcCode.RESOURCE_EXHAUSTED,
      'request larger than 1024 bytes',
    ]);
    expect(calls).toBe(0);
  });

  it("keeps the caller's deadline: a handler later than grpc-timeout gets DEADLINE_EXCEEDED sent for it", async () => {
    const { port } = await server(() => new Promise<Echo>(() => undefined));
    const started = Date.now();
    const answer = await raw(port, { 'grpc-timeout': '120m' }, hello);
    expect(answer.status).toBe(GrpcCode.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('drops the answer of a call the client cancelled, and serves the next', async () => {
    let release: (() => void) | undefined;
    const { port } = await server((request, metadata) =>
      request.text === 'slow'
        ? new Promise<Echo>((resolve) => (release = () => resolve({ text: 'late' })))
        : echo(request, metadata),
    );
    const session = rawSession(port);
    const stream = session.request({
      ':method': 'POST',
      ':path': ECHO_PATH,
      'content-type': 'application/grpc',
    });
    stream.on('error', () => undefined);
    stream.end(frameMessage(json.serialize({ text: 'slow' })));
    await expect.poll(() => release !== undefined).toBe(true);
    stream.close(constants.NGHTTP2_CANCEL);
    await new Promise((r) => setTimeout(r, 50));
    release!();
    const next = await raw(port, {}, hello);
    expect(next.status).toBe(GrpcCode.OK);
  });
});

describe('GrpcUnaryServer lets go of a finished call', () => {
  // A closed stream outlives its call by several scavenges: what its listeners hold (the
  // request, its headers, the answer) must not live as long. So on the events the server
  // listens to, a closed stream keeps no closure made for its call: its listeners there are the
  // same functions on every stream (Node's own, and the server's shared ones).
  const SERVER_EVENTS = ['data', 'end', 'close', 'error', 'wantTrailers'];

  /** The streams the server serves from now on. */
  function servedStreams(): () => ServerHttp2Stream[] {
    const prototype = GrpcUnaryServer.prototype as unknown as { serve(stream: ServerHttp2Stream): void };
    const serve = vi.spyOn(prototype, 'serve');
    cleanups.push(() => serve.mockRestore());
    return () => serve.mock.calls.map(([stream]) => stream);
  }

  function expectSameListeners(a: ServerHttp2Stream, b: ServerHttp2Stream): void {
    for (const event of SERVER_EVENTS) {
      const theirs = b.listeners(event);
      expect(a.listeners(event)).toHaveLength(theirs.length);
      a.listeners(event).forEach((listener, i) => expect(listener, event).toBe(theirs[i]));
    }
  }

  it('keeps no listener of an answered call, and a shared one for late errors', async () => {
    const streams = servedStreams();
    const { port } = await server();
    expect((await raw(port, {}, hello)).status).toBe(GrpcCode.OK);
    expect((await raw(port, {}, hello)).status).toBe(GrpcCode.OK);
    const [first, second] = streams();
    await expect.poll(() => first!.closed && second!.closed).toBe(true);
    expectSameListeners(first!, second!);
    expect(first!.listenerCount('data')).toBe(0);
    expect(first!.listenerCount('error')).toBe(1);
    expect(() => first!.emit('error', new Error('late'))).not.toThrow();
  });

  it('keeps none either of a call the client cancelled before sending all of its request', async () => {
    const streams = servedStreams();
    const { port } = await server();
    const session = rawSession(port);
    for (let call = 1; call <= 2; call++) {
      const stream = session.request({
        ':method': 'POST',
        ':path': ECHO_PATH,
        'content-type': 'application/grpc',
      });
      stream.on('error', () => undefined);
      stream.write(hello.subarray(0, 3));
      await expect.poll(() => streams().length).toBe(call);
      stream.close(constants.NGHTTP2_CANCEL);
      const served = streams()[call - 1]!;
      await expect.poll(() => served.closed && served.listenerCount('close') === 0).toBe(true);
    }
    const [first, second] = streams();
    expectSameListeners(first!, second!);
    expect(first!.listenerCount('data')).toBe(0);
  });
});

describe('GrpcUnaryServer.close', () => {
  it('lets a call in flight finish, then refuses new connections', async () => {
    let release: (() => void) | undefined;
    const s = new GrpcUnaryServer([
      {
        path: ECHO_PATH,
        ...json,
        handle: (request: Echo) =>
          new Promise<Echo>((resolve) => (release = () => resolve({ text: request.text }))),
      },
    ]);
    const port = await s.listen(0, '127.0.0.1');
    const client = grpcJsClient(port);
    const inFlight = grpcJsCall(client, { text: 'finishing' }, { deadlineMs: 3_000 });
    await expect.poll(() => release !== undefined).toBe(true);
    const closed = s.close(2_000);
    release!();
    expect(await inFlight).toEqual({ text: 'finishing' });
    await closed;
    const e = await grpcJsFailure(grpcJsCall(grpcJsClient(port), { text: 'after' }, { deadlineMs: 500 }));
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(e.code);
  });

  it('destroys connections still busy after the grace period', async () => {
    const s = new GrpcUnaryServer([
      { path: ECHO_PATH, ...json, handle: () => new Promise<Echo>(() => undefined) },
    ]);
    const port = await s.listen(0, '127.0.0.1');
    const pending = grpcJsFailure(grpcJsCall(grpcJsClient(port), { text: 'stuck' }, { deadlineMs: 5_000 }));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await s.close(150);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await pending).code).toBe(status.UNAVAILABLE);
  });

  it('rejects listen on a port that is taken', async () => {
    const { port } = await server();
    const other = new GrpcUnaryServer([]);
    await expect(other.listen(port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
  });
});
