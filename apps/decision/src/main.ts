// The decision service's main(): service-kit's runService does not start microservices, so
// this is its sequence with the gRPC transport started before the HTTP listener.
import 'reflect-metadata';
import { ConfigError, loadConfig, redactConfig } from '@modelgate/config';
import { createLogger, startTelemetry } from '@modelgate/telemetry';
import { createDecisionApp, grpcUrl } from './bootstrap/decision-app';
import { decisionConfigSchema, type DecisionConfig } from './config';

async function main(): Promise<void> {
  let config: DecisionConfig;
  try {
    config = loadConfig(decisionConfigSchema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`decision: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger('decision', config.LOG_LEVEL);
  const telemetry = startTelemetry('decision', config.OTEL_EXPORTER_OTLP_ENDPOINT);
  logger.info({ config: redactConfig(config) }, 'starting');
  try {
    const app = await createDecisionApp(config, logger);
    await app.startAllMicroservices();
    await app.listen({ port: config.PORT, host: config.BIND_ADDRESS });
    logger.info({ url: await app.getUrl(), grpc: grpcUrl(config) }, 'decision listening');
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error({ timeout_ms: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out; exiting');
        process.exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS).unref();
      app
        .close()
        .then(() => telemetry.shutdown())
        .then(() => process.exit(0))
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

void main();
