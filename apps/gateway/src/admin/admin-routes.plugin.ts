// Admin paths routed to the services that own them, so that users need one base URL. The
// gateway decides nothing here: each service authenticates and authorizes its own callers
// (admin writes need a user token with the right role). The gateway only forwards what a
// client may send, tells the service the caller's address, and refuses paths that could
// mean something else after normalisation.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { replyWithApiError } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { relay } from '../proxy/stream-relay';
import { useApiErrors } from '../routes/api-errors';
import { sendUpstream, UpstreamError } from '../proxy/upstream-client';

export interface AdminTarget {
  /** Path prefixes (exact path, or the prefix followed by `/`) owned by the service. */
  readonly prefixes: readonly string[];
  readonly baseUrl: string;
  readonly service: string;
}

export interface AdminRoutesDeps {
  readonly targets: readonly AdminTarget[];
  readonly clientIp: (req: IncomingMessage) => string | null;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

const PASSED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'if-match',
  'if-none-match',
  'traceparent',
];
const PASSED_RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'etag',
  'location',
  'retry-after',
  'www-authenticate',
];

/**
 * Dot segments, encoded dots or slashes, backslashes and empty segments: a service (or a
 * URL parser on the way) could resolve them to a path other than the one matched here.
 */
const AMBIGUOUS_PATH = /(^|\/)\.{1,2}(\/|$)|%2e|%2f|%5c|\\|\/\/|%00/i;

/** A Fastify plugin (encapsulated: its parsers and hooks stay in its scope). */
export function adminRoutes(app: FastifyInstance, deps: AdminRoutesDeps): Promise<void> {
  useApiErrors(app, deps.logger);
  // Bodies pass through as bytes, whatever their type: the owning service parses them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  for (const target of deps.targets) {
    for (const prefix of target.prefixes) {
      const handler = (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
        forward(target, request, reply);
      app.all(prefix, { bodyLimit: deps.maxBodyBytes }, handler);
      app.all(`${prefix}/*`, { bodyLimit: deps.maxBodyBytes }, handler);
    }
  }

  async function forward(target: AdminTarget, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = request.url;
    const path = url.split('?', 1)[0]!;
    if (AMBIGUOUS_PATH.test(path)) {
      return replyWithApiError(
        reply,
        String(request.id),
        400,
        'invalid_path',
        'path: dot segments, encoded separators and empty segments are not allowed',
      );
    }
    const method = request.method;
    if (!['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) {
      return replyWithApiError(
        reply,
        String(request.id),
        405,
        'method_not_allowed',
        `${method} is not allowed`,
      );
    }
    const headers: Record<string, string> = { 'x-request-id': String(request.id) };
    for (const name of PASSED_REQUEST_HEADERS) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    // Ours replaces whatever the client sent: the service trusts it from the gateway only.
    const ip = deps.clientIp(request.raw);
    if (ip !== null) headers['x-forwarded-for'] = ip;
    const body = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
    let upstream: Dispatcher.ResponseData | null;
    try {
      upstream = await sendUpstream(
        deps.dispatcher,
        {
          url: `${target.baseUrl}${url}`,
          method: method as 'GET',
          headers,
          ...(body !== undefined ? { body } : {}),
        },
        { headersMs: deps.timeoutMs, bodyMs: deps.timeoutMs },
        reply.raw,
      );
    } catch (error) {
      deps.logger.warn({ err: error, service: target.service, request_id: request.id }, 'admin route failed');
      const status = error instanceof UpstreamError ? error.status : 502;
      return replyWithApiError(
        reply,
        String(request.id),
        status === 504 ? 504 : 503,
        'service_unavailable',
        `The ${target.service} service is unavailable.`,
      );
    }
    if (upstream === null) return;
    const out: Record<string, string> = { 'x-request-id': String(request.id) };
    for (const name of PASSED_RESPONSE_HEADERS) {
      const value = upstream.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    reply.hijack();
    reply.raw.writeHead(upstream.statusCode, out);
    // A CSV export is streamed: relayed as it comes, with backpressure.
    await relay(upstream.body, reply.raw, deps.stallTimeoutMs);
  }
  return Promise.resolve();
}
