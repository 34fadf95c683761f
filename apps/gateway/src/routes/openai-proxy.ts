// The proxied OpenAI routes (PROXY_ROUTES) on node:http directly, ahead of Fastify (see
// service-kit's RawRequests for why): who calls (before the body is read, so that an
// unauthenticated caller is refused without the gateway reading its body), the body, the
// model, the decision, then the engine's answer passed on. Requests this does not match go to
// Fastify, which serves the rest of the API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { Principal } from '@modelgate/auth';
import { replyWithApiError, requestIdOf } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { modelNotFound, type AccessGate, type AccessRequest } from '../access/access-gate';
import type { Backend, BackendCatalog } from '../backends/backend-catalog';
import { relay } from '../proxy/stream-relay';
import { sendUpstream, UpstreamError, type UpstreamTimeouts } from '../proxy/upstream-client';
import { readJsonBody } from './json-body';
import { matchProxyRoute, resolveModel, type ProxyMatch, type ProxyRoute } from './openai-routes';
import { accessRequestOf, RawReply, refuse } from './replies';

export interface OpenAiProxyDeps {
  readonly gate: AccessGate;
  readonly catalog: BackendCatalog;
  readonly clientIp: (req: IncomingMessage) => string | null;
  readonly dispatcher: Dispatcher;
  readonly timeouts: UpstreamTimeouts;
  readonly stallTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

/** Response headers of an engine that reach the client; everything else (cookies, server banners, hop-by-hop) stays. */
const PASSED_RESPONSE_HEADERS = ['content-type', 'content-length', 'cache-control', 'content-disposition'];

/** Below this, a JSON answer of known length is passed on in one piece rather than relayed. */
const SMALL_BODY_BYTES = 64 * 1024;

/** One request on its way through. */
interface Exchange {
  readonly match: ProxyMatch;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly access: AccessRequest;
}

export class OpenAiProxy {
  constructor(private readonly deps: OpenAiProxyDeps) {}

  /** For RawRequests: serves `req` when it asks for one of PROXY_ROUTES, else returns false. */
  readonly take = (req: IncomingMessage, res: ServerResponse): boolean => {
    const match = matchProxyRoute(req.method, req.url ?? '');
    if (match === null) return false;
    const requestId = requestIdOf(req);
    const access = accessRequestOf(req.headers, requestId, match.route.operation, this.deps.clientIp(req));
    const exchange: Exchange = { match, req, res, requestId, access };
    this.serve(exchange).catch((error: unknown) => this.failed(exchange, error));
    return true;
  };

  private async serve(x: Exchange): Promise<void> {
    const { gate, catalog } = this.deps;
    const { route, pathModel } = x.match;
    if (pathModel === null) {
      return replyWithApiError(
        this.reply(x),
        x.requestId,
        400,
        'invalid_request',
        'path: the model segment is not valid percent-encoding',
      );
    }
    const caller = await gate.authenticate(x.req.headers.authorization, x.access, pathModel ?? '');
    if (!caller.ok) return refuse(this.reply(x), x.requestId, caller.refused);
    const principal = caller.principal;
    let body: unknown;
    if (route.method === 'POST') {
      const read = await readJsonBody(x.req, this.deps.maxBodyBytes);
      if (read.kind === 'gone') return;
      if (read.kind === 'refused') return this.refuseBody(x, principal, read.problem);
      body = read.value;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return refuse(
          this.reply(x),
          x.requestId,
          gate.refuseBadRequest(x.access, principal, 'body: expected a JSON object'),
        );
      }
    }
    const resolution = resolveModel({
      path: pathModel,
      body: route.method === 'POST' ? body : undefined,
      query: x.match.query,
    });
    const outcome = await gate.authorize(principal, resolution, x.access);
    if (!outcome.allowed) return refuse(this.reply(x), x.requestId, outcome);
    const backend = catalog.get(outcome.model);
    if (backend === undefined)
      return refuse(this.reply(x), x.requestId, modelNotFound(outcome.model, outcome.decisionId));
    await this.forward(x, route, backend, outcome.model, body, outcome.decisionId);
  }

  /** A body the gateway could not read is an attempt too: recorded, and answered with its problem. */
  private refuseBody(
    x: Exchange,
    principal: Principal,
    problem: { status: number; code: string; message: string },
  ): void {
    const refused = this.deps.gate.refuseBadRequest(x.access, principal, problem.message);
    const reply = this.reply(x).header('x-decision-id', refused.decisionId);
    // Whatever the client still sends of a body refused for its size is not read: the
    // connection closes after the answer.
    if (problem.status === 413) reply.header('connection', 'close');
    replyWithApiError(reply, x.requestId, problem.status, problem.code, problem.message);
  }

  private async forward(
    x: Exchange,
    route: ProxyRoute,
    backend: Backend,
    model: string,
    body: unknown,
    decisionId: string,
  ): Promise<void> {
    const { logger } = this.deps;
    const accept = x.req.headers.accept;
    const headers: Record<string, string> = {
      accept: typeof accept === 'string' ? accept : '*/*',
      'x-request-id': x.requestId,
      'user-agent': 'modelgate-gateway',
    };
    if (x.access.traceparent !== undefined) headers['traceparent'] = x.access.traceparent;
    // The engine's own key, never the caller's credential.
    if (backend.apiKey !== null) headers['authorization'] = `Bearer ${backend.apiKey}`;
    let payload: string | undefined;
    if (route.method === 'POST') {
      headers['content-type'] = 'application/json';
      // Re-serialised from what was parsed and checked: the engine reads the very model that
      // was decided on, whatever duplicate keys or odd encodings the client sent.
      payload = JSON.stringify(route.modelInPath ? { ...(body as object), model } : body);
    }
    let upstream: Dispatcher.ResponseData | null;
    try {
      upstream = await sendUpstream(
        this.deps.dispatcher,
        {
          url: `${backend.baseUrl}${route.upstreamPath(model)}`,
          method: route.method,
          headers,
          ...(payload !== undefined ? { body: payload } : {}),
        },
        this.deps.timeouts,
        x.res,
      );
    } catch (error) {
      const e =
        error instanceof UpstreamError
          ? error
          : new UpstreamError(502, 'upstream_unavailable', String(error));
      logger.warn(
        { err: e, model, engine: backend.engine, request_id: x.requestId },
        'engine request failed',
      );
      const reply = this.reply(x).header('x-decision-id', decisionId);
      return replyWithApiError(reply, x.requestId, e.status, e.code, upstreamMessage(e.code));
    }
    if (upstream === null) return; // the client left first: nobody to answer
    if (upstream.statusCode >= 500) {
      // An engine's 5xx body may hold stack traces or paths: logged, not passed on.
      const text = (await upstream.body.text().catch(() => '')).slice(0, 2_000);
      logger.warn(
        { status: upstream.statusCode, body: text, model, request_id: x.requestId },
        'engine error',
      );
      const reply = this.reply(x).header('x-decision-id', decisionId);
      return replyWithApiError(
        reply,
        x.requestId,
        502,
        'upstream_error',
        `The model's engine failed (status ${upstream.statusCode}).`,
      );
    }
    const out: Record<string, string> = { 'x-decision-id': decisionId, 'x-request-id': x.requestId };
    for (const name of PASSED_RESPONSE_HEADERS) {
      const value = upstream.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    const length = Number(out['content-length']);
    if (length <= SMALL_BODY_BYTES && out['content-type']?.startsWith('application/json')) {
      // A small answer of known length (a non-streamed completion): read whole and written
      // with its headers in one write. On this machine each socket write costs ~0.1 ms.
      const bytes = Buffer.from(await upstream.body.arrayBuffer());
      x.res.writeHead(upstream.statusCode, out);
      x.res.end(bytes);
      return;
    }
    // Not flushed on their own: they leave with the first chunk, one write instead of two
    // (an engine sends its headers when it has the first token anyway).
    x.res.writeHead(upstream.statusCode, out);
    const end = await relay(upstream.body, x.res, this.deps.stallTimeoutMs);
    if (end !== 'complete') logger.info({ end, model, request_id: x.requestId }, 'response ended early');
  }

  private reply(x: Exchange): RawReply {
    return new RawReply(x.res, x.requestId);
  }

  private failed(x: Exchange, error: unknown): void {
    this.deps.logger.error({ err: error, request_id: x.requestId }, 'request failed');
    if (x.res.headersSent) {
      x.res.destroy();
      return;
    }
    replyWithApiError(this.reply(x), x.requestId, 500, 'internal_error', 'internal error');
  }
}

function upstreamMessage(code: UpstreamError['code']): string {
  return code === 'upstream_timeout'
    ? "The model's engine did not answer in time."
    : "The model's engine is unreachable.";
}
