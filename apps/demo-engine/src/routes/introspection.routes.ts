// Test-only routes outside /v1: the request log, and the health checks `./dev` waits on.
import type { FastifyInstance } from 'fastify';
import type { EngineDeps } from './engine-deps';

/** Paths that are not recorded: the log is about what a client sent to the engine. */
export function isUnrecordedPath(path: string): boolean {
  return path.startsWith('/__demo/') || path === '/health/live' || path === '/health/ready';
}

export function registerIntrospectionRoutes(app: FastifyInstance, deps: EngineDeps): void {
  app.get('/__demo/requests', (_request, reply) => reply.send({ items: deps.requests.list() }));
  app.delete('/__demo/requests', (_request, reply) => {
    deps.requests.clear();
    return reply.code(204).send();
  });
  app.get('/health/live', (_request, reply) => reply.send({ status: 'ok' }));
  app.get('/health/ready', (_request, reply) => reply.send({ status: 'ok' }));
}
