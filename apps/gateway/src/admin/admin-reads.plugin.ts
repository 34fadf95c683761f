// What the console needs that no service answers for users: the backend catalogue, and the
// decision service's explain (which is internal: it answers for any principal it is given,
// so only policy readers may ask it, through here).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { AuthenticationError, PUBLIC_AUTH_FAILURE_MESSAGE, type Principal } from '@modelgate/auth';
import { replyWithApiError } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { Authenticator } from '../access/access-gate';
import type { BackendCatalog } from '../backends/backend-catalog';
import { useApiErrors } from '../routes/api-errors';
import { sendUpstream } from '../proxy/upstream-client';

export interface AdminReadsDeps {
  readonly principals: Authenticator;
  readonly catalog: BackendCatalog;
  readonly readerRoles: readonly string[];
  readonly decisionUrl: string;
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** A Fastify plugin (encapsulated: its parsers and hooks stay in its scope). */
export function adminReads(app: FastifyInstance, deps: AdminReadsDeps): Promise<void> {
  useApiErrors(app, deps.logger);
  /** The caller if it holds a reader role; otherwise the reply is sent and null returned. */
  async function reader(request: FastifyRequest, reply: FastifyReply): Promise<Principal | null> {
    let principal: Principal;
    try {
      principal = await deps.principals.resolve(request.headers.authorization);
    } catch (error) {
      if (error instanceof AuthenticationError) {
        replyWithApiError(reply, String(request.id), 401, 'invalid_api_key', PUBLIC_AUTH_FAILURE_MESSAGE);
      } else {
        replyWithApiError(
          reply,
          String(request.id),
          503,
          'identity_unavailable',
          'The caller could not be authenticated right now.',
        );
      }
      return null;
    }
    if (!principal.roles.some((r) => deps.readerRoles.includes(r))) {
      replyWithApiError(
        reply,
        String(request.id),
        403,
        'forbidden',
        `requires one of the roles ${deps.readerRoles.join(', ')}`,
      );
      return null;
    }
    return principal;
  }

  app.get('/v1/admin/backends', async (request, reply) => {
    if ((await reader(request, reply)) === null) return reply;
    return {
      items: deps.catalog.all().map((b) => ({ model: b.model, engine: b.engine })),
      next_cursor: null,
    };
  });

  app.post('/v1/decisions/explain', { bodyLimit: 64 * 1024 }, async (request, reply) => {
    if ((await reader(request, reply)) === null) return reply;
    try {
      const res = await sendUpstream(
        deps.dispatcher,
        {
          url: `${deps.decisionUrl}/v1/decisions/explain`,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': String(request.id) },
          body: JSON.stringify(request.body ?? {}),
          signal: AbortSignal.timeout(deps.timeoutMs),
        },
        { headersMs: deps.timeoutMs, bodyMs: deps.timeoutMs },
        reply.raw,
      );
      if (res === null) return reply; // the client left
      const text = await res.body.text();
      return reply.status(res.statusCode).type('application/json').send(text);
    } catch (error) {
      deps.logger.warn({ err: error, request_id: request.id }, 'explain failed');
      return replyWithApiError(
        reply,
        String(request.id),
        503,
        'decision_unavailable',
        'The decision service is unavailable.',
      );
    }
  });
  return Promise.resolve();
}
