// Composition of the demo engine: a plain Fastify server (no NestJS; it stands in for a
// third-party engine and must not be the bottleneck of the gateway benchmark).
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ModelCatalog } from './catalog/model-catalog';
import type { DemoEngineConfig } from './config/demo-engine.config';
import { apiKeyCheck } from './openai/api-key-guard';
import { invalidApiKey, OpenAiError, routeNotFound } from './openai/openai-error';
import { RequestLog, type RecordedRequest } from './request-log/request-log';
import { registerChatCompletionRoutes } from './routes/chat-completions.routes';
import { registerCompletionRoutes } from './routes/completions.routes';
import { registerEmbeddingRoutes } from './routes/embeddings.routes';
import type { EngineDeps } from './routes/engine-deps';
import { registerEngineAdminRoutes } from './routes/engine-admin.routes';
import { registerFineTuningRoutes } from './routes/fine-tuning.routes';
import { isUnrecordedPath, registerIntrospectionRoutes } from './routes/introspection.routes';
import { registerModelRoutes } from './routes/models.routes';

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's entry in the request log; null for health and /__demo paths. */
    demoRecord: RecordedRequest | null;
  }
}

/** Big enough for any chat a test sends; the gateway's own limit is what tests probe. */
const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export interface DemoEngineOptions {
  readonly config: Pick<DemoEngineConfig, 'DEMO_MODELS' | 'DEMO_API_KEY'>;
  readonly logger?: FastifyBaseLogger;
  readonly nowSeconds?: () => number;
  readonly now?: () => Date;
}

export function buildDemoEngine(options: DemoEngineOptions): FastifyInstance {
  const deps: EngineDeps = {
    catalog: new ModelCatalog(options.config.DEMO_MODELS),
    requests: new RequestLog(1000, options.now),
    nowSeconds: options.nowSeconds ?? (() => Math.floor(Date.now() / 1000)),
  };
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // One log line per request would cost more than the answer under benchmark load.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
  });
  const keyAccepted = apiKeyCheck(options.config.DEMO_API_KEY);

  app.decorateRequest('demoRecord', null);
  // Callback-style hooks: no promise per request on the benchmark's hot path.
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    if (!isUnrecordedPath(path)) {
      request.demoRecord = deps.requests.record(request.method, path, request.headers);
    }
    if (keyAccepted(path, request.headers.authorization)) return done();
    // Recorded first: a refused request still counts as one that reached the engine.
    const error = invalidApiKey();
    void reply.code(error.statusCode).send(error.toBody());
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const record = request.demoRecord;
    if (!record) return done();
    const body = request.body as { model?: unknown } | null | undefined;
    const params = request.params as { model?: unknown } | undefined;
    if (body && typeof body === 'object' && typeof body.model === 'string') record.model = body.model;
    else if (typeof params?.model === 'string') record.model = params.model;
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    if (request.demoRecord) request.demoRecord.status = reply.statusCode;
    done();
  });

  app.setNotFoundHandler(async (request, reply) => {
    const error = routeNotFound(request.method, request.url.split('?', 1)[0] ?? '');
    return reply.code(error.statusCode).send(error.toBody());
  });
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof OpenAiError) return reply.code(error.statusCode).send(error.toBody());
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Fastify's own refusals: malformed JSON, wrong content type, body too large.
      const code = (error as { code?: unknown }).code;
      const mapped = new OpenAiError(
        status,
        error instanceof Error ? error.message : 'bad request',
        'invalid_request_error',
        typeof code === 'string' ? code : null,
        'body',
      );
      return reply.code(status).send(mapped.toBody());
    }
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send(
        new OpenAiError(
          500,
          'The demo engine failed; see its log.',
          'server_error',
          'internal_error',
        ).toBody(),
      );
  });

  registerModelRoutes(app, deps);
  registerChatCompletionRoutes(app, deps);
  registerCompletionRoutes(app, deps);
  registerEmbeddingRoutes(app, deps);
  registerFineTuningRoutes(app, deps);
  registerEngineAdminRoutes(app);
  registerIntrospectionRoutes(app, deps);
  return app;
}
