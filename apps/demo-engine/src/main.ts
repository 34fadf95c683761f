// Entry point of the demo engine (`./dev up` runs dist/main.js on :8000).
import { ConfigError } from '@modelgate/config';
import { createLogger } from '@modelgate/telemetry';
import {
  loadDemoEngineConfig,
  redactedDemoEngineConfig,
  type DemoEngineConfig,
} from './config/demo-engine.config';
import { buildDemoEngine } from './server';

/** sysexits EX_CONFIG, as the services exit on a bad variable. */
const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  let config: DemoEngineConfig;
  try {
    config = loadDemoEngineConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`demo-engine: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  const logger = createLogger('demo-engine', config.LOG_LEVEL);
  const app = buildDemoEngine({ config, logger });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await app.listen({ port: config.PORT, host: config.BIND_ADDRESS });
  logger.info(
    { config: redactedDemoEngineConfig(config), url: `http://${config.BIND_ADDRESS}:${config.PORT}` },
    'listening',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo-engine: start-up failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
