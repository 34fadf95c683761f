// The OpenAI-compatible API on Fastify directly rather than through Nest controllers: a
// proxy needs the raw response (hijacked, written chunk by chunk) and per-route hooks that
// run before the body is read, so that an unauthenticated caller is refused without the
// gateway reading its body first.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import type { Principal } from '@modelgate/auth';
import { replyWithApiError } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import {
  modelNotFound,
  type AccessGate,
  type AccessRequest,
  type Decider,
  type Refused,
} from '../access/access-gate';
import type { Backend, BackendCatalog } from '../backends/backend-catalog';
import { DecisionUnavailableError } from '../decision/decision-client';
import { decisionPrincipalOf, keyScopeExcludes } from '../principal/decision-principal';
import { relay } from '../proxy/stream-relay';
import { sendUpstream, UpstreamError, type UpstreamTimeouts } from '../proxy/upstream-client';
import { useApiErrors } from './api-errors';
import { PROXY_ROUTES, resolveModel, type ProxyRoute } from './openai-routes';

export interface OpenAiRoutesDeps {
  readonly gate: AccessGate;
  readonly decider: Decider;
  readonly catalog: BackendCatalog;
  readonly clientIp: (request: FastifyRequest) => string | null;
  readonly dispatcher: Dispatcher;
  readonly timeouts: UpstreamTimeouts;
  readonly stallTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly logger: Logger;
}

interface Access {
  readonly req: AccessRequest;
  principal: Principal | null;
}

/** Response headers of an engine that reach the client; everything else (cookies, server banners, hop-by-hop) stays. */
const PASSED_RESPONSE_HEADERS = ['content-type', 'content-length', 'cache-control', 'content-disposition'];

/** Below this, a JSON answer of known length is passed on in one piece rather than relayed. */
const SMALL_BODY_BYTES = 64 * 1024;

const accessOf = new WeakMap<FastifyRequest, Access>();

/** A Fastify plugin (encapsulated: its parsers and hooks stay in its scope). */
export function openAiRoutes(app: FastifyInstance, deps: OpenAiRoutesDeps): Promise<void> {
  const { gate, catalog, logger } = deps;
  const created = Math.floor(Date.now() / 1000);
  // A body the gateway could not read is an attempt too: recorded when the caller is known.
  useApiErrors(app, logger, (request, reply) => {
    const access = accessOf.get(request);
    if (access?.principal) {
      const refused = gate.refuseBadRequest(access.req, access.principal, 'body: unreadable');
      void reply.header('x-decision-id', refused.decisionId);
    }
  });

  /** Who calls, before the body is read; a refusal ends the request here. */
  const authenticate =
    (operation: string) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const traceparent = request.headers['traceparent'];
      const req: AccessRequest = {
        requestId: String(request.id),
        traceparent: typeof traceparent === 'string' ? traceparent : undefined,
        operation,
        ip: deps.clientIp(request),
        startedAt: process.hrtime.bigint(),
      };
      const access: Access = { req, principal: null };
      accessOf.set(request, access);
      const pathModel = (request.params as { model?: string }).model;
      const outcome = await gate.authenticate(request.headers.authorization, req, pathModel ?? '');
      if (!outcome.ok) return refuse(reply, outcome.refused);
      access.principal = outcome.principal;
    };

  for (const route of PROXY_ROUTES) {
    app.route({
      method: route.method,
      url: route.path,
      bodyLimit: deps.maxBodyBytes,
      // No per-request log lines on the hot path: every attempt is in the audit trail, with
      // more than an access log holds; refusals and failures are still logged.
      logLevel: 'warn',
      onRequest: authenticate(route.operation),
      handler: (request, reply) => proxy(route, request, reply),
    });
  }

  app.get('/v1/models', { onRequest: authenticate('view') }, async (request, reply) => {
    const { req, principal } = accessOf.get(request)!;
    const candidates = catalog.models().filter((m) => keyScopeExcludes(principal!, m, 'view') === null);
    try {
      const visible = await deps.decider.visibleModels(
        decisionPrincipalOf(principal!),
        candidates,
        'view',
        req.ip,
        req,
      );
      void reply.header('x-decision-id', visible.decisionId);
      return {
        object: 'list',
        data: visible.models.map((id) => modelObject(catalog.get(id)!, created)),
      };
    } catch (error) {
      logger.warn({ err: error, request_id: req.requestId }, 'model list unavailable (fail closed)');
      const detail = error instanceof DecisionUnavailableError ? error.message : String(error);
      return refuse(reply, {
        allowed: false,
        status: 503,
        code: 'decision_unavailable',
        message: 'The access decision is unavailable.',
        decisionId: deps.gate.recordUnavailable(req, principal!, '', detail),
      });
    }
  });

  app.get('/v1/models/:model', { onRequest: authenticate('view') }, async (request, reply) => {
    const { req, principal } = accessOf.get(request)!;
    const resolution = resolveModel({
      path: (request.params as { model: string }).model,
      query: request.query,
    });
    const outcome = await gate.authorize(principal!, resolution, req);
    if (!outcome.allowed) return refuse(reply, outcome);
    const backend = catalog.get(outcome.model);
    if (backend === undefined) return refuse(reply, modelNotFound(outcome.model, outcome.decisionId));
    void reply.header('x-decision-id', outcome.decisionId);
    return modelObject(backend, created);
  });

  async function proxy(route: ProxyRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { req, principal } = accessOf.get(request)!;
    const body = request.body;
    if (route.method === 'POST' && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      return refuse(reply, gate.refuseBadRequest(req, principal!, 'body: expected a JSON object'));
    }
    const resolution = resolveModel({
      path: (request.params as { model?: string }).model,
      body: route.method === 'POST' ? body : undefined,
      query: request.query,
    });
    const outcome = await gate.authorize(principal!, resolution, req);
    if (!outcome.allowed) return refuse(reply, outcome);
    const backend = catalog.get(outcome.model);
    if (backend === undefined) return refuse(reply, modelNotFound(outcome.model, outcome.decisionId));
    await forward(route, backend, outcome.model, body, request, reply, outcome.decisionId);
  }

  async function forward(
    route: ProxyRoute,
    backend: Backend,
    model: string,
    body: unknown,
    request: FastifyRequest,
    reply: FastifyReply,
    decisionId: string,
  ): Promise<void> {
    const headers: Record<string, string> = {
      accept: typeof request.headers.accept === 'string' ? request.headers.accept : '*/*',
      'x-request-id': String(request.id),
      'user-agent': 'modelgate-gateway',
    };
    const traceparent = request.headers['traceparent'];
    if (typeof traceparent === 'string') headers['traceparent'] = traceparent;
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
        deps.dispatcher,
        {
          url: `${backend.baseUrl}${route.upstreamPath(model)}`,
          method: route.method,
          headers,
          ...(payload !== undefined ? { body: payload } : {}),
        },
        deps.timeouts,
        reply.raw,
      );
    } catch (error) {
      const e =
        error instanceof UpstreamError
          ? error
          : new UpstreamError(502, 'upstream_unavailable', String(error));
      logger.warn({ err: e, model, engine: backend.engine, request_id: request.id }, 'engine request failed');
      void reply.header('x-decision-id', decisionId);
      return replyWithApiError(reply, String(request.id), e.status, e.code, upstreamMessage(e.code));
    }
    if (upstream === null) return; // the client left first: nobody to answer
    if (upstream.statusCode >= 500) {
      // An engine's 5xx body may hold stack traces or paths: logged, not passed on.
      const text = (await upstream.body.text().catch(() => '')).slice(0, 2_000);
      logger.warn({ status: upstream.statusCode, body: text, model, request_id: request.id }, 'engine error');
      void reply.header('x-decision-id', decisionId);
      return replyWithApiError(
        reply,
        String(request.id),
        502,
        'upstream_error',
        `The model's engine failed (status ${upstream.statusCode}).`,
      );
    }
    const out: Record<string, string> = { 'x-decision-id': decisionId, 'x-request-id': String(request.id) };
    for (const name of PASSED_RESPONSE_HEADERS) {
      const value = upstream.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    reply.hijack();
    const res = reply.raw;
    const length = Number(out['content-length']);
    if (length <= SMALL_BODY_BYTES && out['content-type']?.startsWith('application/json')) {
      // A small answer of known length (a non-streamed completion): read whole and written
      // with its headers in one write. On this machine each socket write costs ~0.1 ms.
      const bytes = Buffer.from(await upstream.body.arrayBuffer());
      res.writeHead(upstream.statusCode, out);
      res.end(bytes);
      return;
    }
    // Not flushed on their own: they leave with the first chunk, one write instead of two
    // (an engine sends its headers when it has the first token anyway).
    res.writeHead(upstream.statusCode, out);
    const end = await relay(upstream.body, res, deps.stallTimeoutMs);
    if (end !== 'complete') logger.info({ end, model, request_id: request.id }, 'response ended early');
  }
  return Promise.resolve();
}

function refuse(reply: FastifyReply, refused: Refused): void {
  void reply.header('x-decision-id', refused.decisionId);
  if (refused.retryAfterSec !== undefined) void reply.header('retry-after', String(refused.retryAfterSec));
  replyWithApiError(reply, String(reply.request.id), refused.status, refused.code, refused.message);
}

function modelObject(backend: Backend, created: number): Record<string, unknown> {
  return { id: backend.model, object: 'model', created, owned_by: backend.engine };
}

function upstreamMessage(code: UpstreamError['code']): string {
  return code === 'upstream_timeout'
    ? "The model's engine did not answer in time."
    : "The model's engine is unreachable.";
}
