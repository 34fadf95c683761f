import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * The admin console's built files at /console/ (a single-page app: unknown paths under it
 * get index.html, the app routes them). Strict headers: the console holds admin tokens.
 */
export async function consoleStatic(app: FastifyInstance, opts: { root: string }): Promise<void> {
  if (!existsSync(join(opts.root, 'index.html'))) {
    app.get('/', async (_request, reply) =>
      reply.status(404).type('text/plain').send('The console is not built (pnpm exec nx run console:build).'),
    );
    return;
  }
  app.addHook('onSend', async (_request, reply) => {
    void reply.header(
      'content-security-policy',
      "default-src 'self'; connect-src 'self' http: https:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-frame-options', 'DENY');
    void reply.header('referrer-policy', 'no-referrer');
  });
  await app.register(fastifyStatic, { root: opts.root, prefix: '/', index: 'index.html', wildcard: true });
  app.setNotFoundHandler(async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply.status(404).send();
    return reply.sendFile('index.html');
  });
}
