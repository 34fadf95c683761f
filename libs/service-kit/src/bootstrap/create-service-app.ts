import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LogController, type FastifyServerOptions } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceConfig } from '@modelgate/config';
import { createLogger, type Logger } from '@modelgate/telemetry';
import { GlobalExceptionFilter } from '../errors/global-exception.filter';
import { HealthModule } from '../health/health.module';
import { NestPinoLogger } from './nest-logger';
import { RawRequests, requestIdOf } from './raw-requests';
import { CONFIG, LOGGER } from './tokens';

export interface ServiceDefinition<C extends ServiceConfig> {
  readonly name: string;
  readonly config: C;
  /** The app's feature modules (Kafka, database, controllers...). */
  readonly imports: DynamicModule['imports'];
  readonly logger?: Logger;
  /** Largest request body accepted, in bytes. */
  readonly bodyLimit?: number;
  /** Work on the built app before it serves (routes on Fastify itself, OpenAPI documents). */
  readonly configure?: (app: NestFastifyApplication, config: C) => void | Promise<void>;
}

@Global()
@Module({})
class CoreModule {
  static forRoot(name: string, config: unknown, logger: Logger, raw: RawRequests): DynamicModule {
    return {
      module: CoreModule,
      imports: [HealthModule],
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: CONFIG, useValue: config },
        { provide: 'SERVICE_NAME', useValue: name },
        { provide: RawRequests, useValue: raw },
      ],
      exports: [LOGGER, CONFIG, HealthModule, RawRequests],
    };
  }
}

/**
 * Builds a service the way every Modelgate service is built: NestJS on Fastify, JSON
 * logs with request ids, OpenAI-shaped errors, health endpoints, shutdown hooks.
 * Returns the app un-started so tests can drive it with `inject` or listen on port 0.
 */
export async function createServiceApp<C extends ServiceConfig>(
  def: ServiceDefinition<C>,
): Promise<NestFastifyApplication> {
  const logger = def.logger ?? createLogger(def.name, def.config.LOG_LEVEL);
  const raw = new RawRequests();
  const adapter = new FastifyAdapter({
    // The server Fastify would make (with its timeouts), with the raw handler's turn first.
    serverFactory: (fastify: RequestListener, options: FastifyServerOptions) => {
      const server = createServer((req: IncomingMessage, res: ServerResponse) => {
        if (!raw.take(req, res)) fastify(req, res);
      });
      server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
      server.requestTimeout = options.requestTimeout ?? 0;
      server.setTimeout(options.connectionTimeout ?? 0);
      return server;
    },
    loggerInstance: logger,
    bodyLimit: def.bodyLimit ?? 1024 * 1024,
    // Rightmost untrusted hop of X-Forwarded-For, and only from these peers (default: none).
    trustProxy: def.config.TRUSTED_PROXIES.length > 0 ? [...def.config.TRUSTED_PROXIES] : false,
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    // No Nest middleware in any service (hooks and plugins do that work): without middie,
    // an onRequest hook that would run for every request, the gateway's proxied ones too,
    // is gone. A module that adds middleware fails at start (`use` is not there).
    skipMiddie: true,
    genReqId: requestIdOf,
  });
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  @Module({ imports: [CoreModule.forRoot(def.name, def.config, logger, raw), ...(def.imports ?? [])] })
  class ServiceModule {}

  const app = await NestFactory.create<NestFastifyApplication>(ServiceModule, adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
  });
  app.useGlobalFilters(new GlobalExceptionFilter(logger));
  await def.configure?.(app, def.config);
  return app;
}
