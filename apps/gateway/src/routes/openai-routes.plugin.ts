// The OpenAI API's model listing and lookup (`view`) on Fastify directly rather than
// through Nest controllers, with a hook that authenticates the caller before the handler.
// The proxied routes (PROXY_ROUTES) are served ahead of Fastify by OpenAiProxy.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@modelgate/auth';
import type { Logger } from '@modelgate/telemetry';
import { modelNotFound, type AccessGate, type AccessRequest, type Decider } from '../access/access-gate';
import type { Backend, BackendCatalog } from '../backends/backend-catalog';
import { DecisionUnavailableError } from '../decision/decision-client';
import { decisionPrincipalOf, keyScopeExcludes } from '../principal/decision-principal';
import { useApiErrors } from './api-errors';
import { resolveModel } from './openai-routes';
import { accessRequestOf, refuse } from './replies';

export interface OpenAiRoutesDeps {
  readonly gate: AccessGate;
  readonly decider: Decider;
  readonly catalog: BackendCatalog;
  readonly clientIp: (req: IncomingMessage) => string | null;
  readonly logger: Logger;
}

interface Access {
  readonly req: AccessRequest;
  principal: Principal | null;
}

const accessOf = new WeakMap<FastifyRequest, Access>();

/** A Fastify plugin (encapsulated: its parsers and hooks stay in its scope). */
export function openAiRoutes(app: FastifyInstance, deps: OpenAiRoutesDeps): Promise<void> {
  const { gate, catalog, logger } = deps;
  const created = Math.floor(Date.now() / 1000);
  useApiErrors(app, logger);

  /** Who calls, before the body is read; a refusal ends the request here. */
  const authenticate =
    (operation: string) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const req = accessRequestOf(request.headers, String(request.id), operation, deps.clientIp(request.raw));
      const access: Access = { req, principal: null };
      accessOf.set(request, access);
      const pathModel = (request.params as { model?: string }).model;
      const outcome = await gate.authenticate(request.headers.authorization, req, pathModel ?? '');
      if (!outcome.ok) return refuse(reply, String(request.id), outcome.refused);
      access.principal = outcome.principal;
    };

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
      return refuse(reply, String(request.id), {
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
    if (!outcome.allowed) return refuse(reply, String(request.id), outcome);
    const backend = catalog.get(outcome.model);
    if (backend === undefined)
      return refuse(reply, String(request.id), modelNotFound(outcome.model, outcome.decisionId));
    void reply.header('x-decision-id', outcome.decisionId);
    return modelObject(backend, created);
  });

  return Promise.resolve();
}

function modelObject(backend: Backend, created: number): Record<string, unknown> {
  return { id: backend.model, object: 'model', created, owned_by: backend.engine };
}
