// A gRPC server of unary methods on node:http2: what the decision service needs to answer the
// gateway, and nothing more. Not @grpc/grpc-js's server (with NestJS's microservice transport
// on top), because of its cost on the path of every request: in a profile of the decision
// service at its maximum rate, grpc-js and Nest's RPC layer took about a third of the
// service's CPU (interceptor chains, per-call metadata objects, the RxJS pipeline), the check
// itself a tenth (bench/gateway/README.md). The client side is unary-channel.ts.
//
// What it does: POST with `application/grpc*` only (else HTTP 405/415); the method by `:path`
// (else UNIMPLEMENTED); one length-prefixed, uncompressed message of at most `maxMessageBytes`
// (else INTERNAL, UNIMPLEMENTED for an offered compression, RESOURCE_EXHAUSTED for size); the
// caller's `grpc-timeout` (DEADLINE_EXCEEDED when the handler is later, OUT_OF_RANGE for an
// unreadable one); the handler's answer, or its error as a status: a GrpcStatusError as it
// is, anything else through `statusOf`; answers to cancelled calls dropped; a graceful close
// (GOAWAY, calls in flight finish, then the connections go).
// What it does not: streaming methods, compression, TLS, binary (`-bin`) metadata.
import {
  constants,
  createServer,
  type Http2Server,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { encodeGrpcMessage, GrpcCode, GrpcStatusError } from './grpc-status';
import { parseGrpcTimeout } from './grpc-timeout';
import { frameMessage, MAX_MESSAGE_BYTES, readSingleMessage } from './message-frame';

/** One unary method as the server answers it: its path, its codecs, its handler. */
export interface UnaryHandler<Req, Res> {
  /** `/package.Service/Method` */
  readonly path: string;
  deserialize(bytes: Buffer): Req;
  serialize(answer: Res): Buffer;
  /** `metadata` is the request's headers (lower-case names, the protocol's own among them). */
  handle(request: Req, metadata: IncomingHttpHeaders): Res | Promise<Res>;
}

/** A status for the caller: code and message. */
export interface GrpcStatus {
  readonly code: number;
  readonly message: string;
}

export interface UnaryServerOptions {
  readonly maxMessageBytes?: number;
  /** The status of an error a handler threw that is not a GrpcStatusError (log it here). */
  readonly statusOf?: (error: unknown, path: string) => GrpcStatus;
}

const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc' } as const;
const OK_TRAILERS = { 'grpc-status': '0' } as const;

/** A peer that resets a stream mid-answer is not the server's error. Shared: it holds nothing of a call. */
function ignoreStreamError(): void {}

/** The trailers of an answered call; `this` is the stream (a shared listener, like the one above). */
function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** The first value of a metadata key, as a string (gRPC metadata may repeat a key). */
export function firstMetadata(metadata: IncomingHttpHeaders, key: string): string | undefined {
  const value = metadata[key];
  return Array.isArray(value) ? value[0] : value;
}

export class GrpcUnaryServer {
  private readonly handlers = new Map<string, UnaryHandler<unknown, unknown>>();
  private readonly maxMessageBytes: number;
  private readonly statusOf: (error: unknown, path: string) => GrpcStatus;
  private readonly server: Http2Server;
  private readonly sessions = new Set<Http2Session>();

  constructor(handlers: readonly UnaryHandler<unknown, unknown>[], options: UnaryServerOptions = {}) {
    for (const handler of handlers) {
      if (this.handlers.has(handler.path)) throw new Error(`two handlers for ${handler.path}`);
      this.handlers.set(handler.path, handler);
    }
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.statusOf = options.statusOf ?? (() => ({ code: GrpcCode.INTERNAL, message: 'internal error' }));
    this.server = createServer();
    this.server.on('session', (session) => {
      this.sessions.add(session);
      session.on('close', () => this.sessions.delete(session));
      // A connection that breaks mid-call (reset, garbage on the wire) ends its calls; the
      // server stays up.
      session.on('error', () => undefined);
    });
    this.server.on('stream', (stream, headers) => this.serve(stream, headers));
  }

  /** Listens on `host:port` (0: any free port); resolves with the port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Stops taking connections and calls (GOAWAY), lets the calls in flight finish, and
   * destroys the connections still open after `graceMs`.
   */
  close(graceMs = 5_000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        for (const session of this.sessions) session.destroy();
      }, graceMs).unref();
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      for (const session of this.sessions) session.close();
    });
  }

  private serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', ignoreStreamError);
    if (headers[':method'] !== 'POST') return this.notGrpc(stream, 405);
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      return this.notGrpc(stream, 415);
    }
    const path = headers[':path'] ?? '';
    const handler = this.handlers.get(path);
    if (handler === undefined) {
      return this.refuseUnread(stream, GrpcCode.UNIMPLEMENTED, `unknown method ${path.slice(0, 200)}`);
    }
    const encoding = headers['grpc-encoding'];
    if (encoding !== undefined && encoding !== 'identity') {
      const named = String(encoding).slice(0, 50);
      return this.refuseUnread(stream, GrpcCode.UNIMPLEMENTED, `grpc-encoding ${named} is not supported`);
    }
    const timeoutMs = parseGrpcTimeout(headers['grpc-timeout']);
    if (timeoutMs === null) {
      return this.refuseUnread(stream, GrpcCode.OUT_OF_RANGE, 'unreadable grpc-timeout');
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const answer = (send: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!stream.destroyed && !stream.closed) send();
    };
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => answer(() => this.refuse(stream, GrpcCode.DEADLINE_EXCEEDED, 'deadline exceeded')),
        timeoutMs,
      );
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    const limit = this.maxMessageBytes + 5;
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= limit) return void chunks.push(chunk);
      stream.off('data', onData);
      answer(() => {
        this.refuse(stream, GrpcCode.RESOURCE_EXHAUSTED, `request larger than ${this.maxMessageBytes} bytes`);
        // The answer is complete; this tells the client to stop sending (RFC 9113, 8.1).
        stream.close(constants.NGHTTP2_NO_ERROR);
      });
    };
    stream.on('data', onData);
    const onEnd = (): void => {
      if (settled) return;
      const message = readSingleMessage(
        chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes),
        'request',
      );
      if (typeof message === 'string') {
        return answer(() => this.refuse(stream, GrpcCode.INTERNAL, message));
      }
      let request: unknown;
      try {
        request = handler.deserialize(message);
      } catch (error) {
        return answer(() =>
          this.refuse(stream, GrpcCode.INTERNAL, `request not decodable: ${(error as Error).message}`),
        );
      }
      let result: unknown;
      try {
        result = handler.handle(request, headers);
      } catch (error) {
        return answer(() => this.fail(stream, error, path));
      }
      if (result instanceof Promise) {
        result.then(
          (value) => answer(() => this.send(stream, handler, value, path)),
          (error: unknown) => answer(() => this.fail(stream, error, path)),
        );
      } else {
        answer(() => this.send(stream, handler, result, path));
      }
    };
    stream.once('end', onEnd);
    stream.once('close', () => {
      // A closed stream outlives its call by several scavenges (V8 keeps the native wrappers
      // JS has touched), and a listener left on it would keep this call's request and
      // headers with it, all promoted to the old generation (see unary-channel.ts).
      stream.off('data', onData);
      stream.off('end', onEnd);
      // A call the client cancelled (RST_STREAM) or whose connection went: nobody to answer.
      answer(() => undefined);
    });
  }

  private send(
    stream: ServerHttp2Stream,
    handler: UnaryHandler<unknown, unknown>,
    value: unknown,
    path: string,
  ): void {
    let frame: Buffer;
    try {
      frame = frameMessage(handler.serialize(value));
    } catch (error) {
      return this.fail(stream, error, path);
    }
    stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
    stream.once('wantTrailers', sendOkTrailers);
    stream.end(frame);
  }

  private fail(stream: ServerHttp2Stream, error: unknown, path: string): void {
    const status =
      error instanceof GrpcStatusError
        ? { code: error.code, message: error.details }
        : this.statusOf(error, path);
    this.refuse(stream, status.code, status.message);
  }

  /** Not a gRPC call (wrong method or content type): an HTTP status; what the client still sends is dropped. */
  private notGrpc(stream: ServerHttp2Stream, httpStatus: 405 | 415): void {
    stream.respond({ ':status': httpStatus }, { endStream: true });
    stream.resume();
  }

  /** A call refused before its request is read; what the client still sends is dropped. */
  private refuseUnread(stream: ServerHttp2Stream, code: number, message: string): void {
    this.refuse(stream, code, message);
    stream.resume();
  }

  /** A trailers-only answer: the status in the headers, no message. */
  private refuse(stream: ServerHttp2Stream, code: number, message: string): void {
    stream.respond(
      { ...RESPONSE_HEADERS, 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) },
      { endStream: true },
    );
  }
}
