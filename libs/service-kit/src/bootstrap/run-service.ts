import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type z } from 'zod';
import { ConfigError, loadConfig, redactConfig, type ServiceConfig } from '@modelgate/config';
import { createLogger, startTelemetry } from '@modelgate/telemetry';
import { createServiceApp, type ServiceDefinition } from './create-service-app';

export interface RunServiceOptions<S extends z.ZodObject> {
  readonly name: string;
  readonly schema: S;
  readonly imports: (config: z.output<S>) => ServiceDefinition<ServiceConfig>['imports'];
  readonly bodyLimit?: number;
  /** Runs before the service listens. */
  readonly configure?: (app: NestFastifyApplication, config: z.output<S>) => void | Promise<void>;
}

/**
 * The `main()` of every service: validate config (a bad value stops start-up with the
 * variable's name), start telemetry, listen, and shut down cleanly on SIGTERM/SIGINT
 * within SHUTDOWN_TIMEOUT_MS.
 */
export async function runService<S extends z.ZodObject>(options: RunServiceOptions<S>): Promise<void> {
  let config: z.output<S> & ServiceConfig;
  try {
    config = loadConfig(options.schema) as z.output<S> & ServiceConfig;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${options.name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const logger = createLogger(options.name, config.LOG_LEVEL);
  const telemetry = startTelemetry(options.name, config.OTEL_EXPORTER_OTLP_ENDPOINT);
  logger.info({ config: redactConfig(config) }, 'starting');

  try {
    const app = await createServiceApp({
      name: options.name,
      config,
      logger,
      imports: options.imports(config),
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
      ...(options.configure ? { configure: options.configure } : {}),
    });
    await app.listen({ port: config.PORT, host: config.BIND_ADDRESS });
    logger.info({ url: await app.getUrl() }, `${options.name} listening`);

    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ timeout_ms: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out; exiting');
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      app
        .close()
        .then(() => telemetry.shutdown())
        .then(() => {
          logger.info('stopped');
          process.exit(0);
        })
        .catch((error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          process.exit(1);
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  } catch (error) {
    logger.fatal({ err: error }, 'failed to start');
    await telemetry.shutdown().catch(() => undefined);
    process.exit(1);
  }
}
