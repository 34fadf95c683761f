// Entry point of the dev OpenID Connect provider (scripts/infra/idp.sh runs dist/main.js).
import { ConfigError, loadDevIdpConfig, redactedConfig } from './config/dev-idp.config';
import { LdapAccountDirectory } from './directory/ldap-account-directory';
import { loadOrCreateKeys } from './keys/key-store';
import { createJsonLogger } from './logging/json-logger';
import { createDevIdp } from './server';

async function main(): Promise<void> {
  const logger = createJsonLogger('dev-idp');
  let config;
  try {
    config = loadDevIdpConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(error.message, { variable: error.variable });
      process.exit(1);
    }
    throw error;
  }
  const { keys, created } = loadOrCreateKeys(config.dataDir);
  logger.info(created ? 'signing keys generated' : 'signing keys loaded', {
    dir: config.dataDir,
    kids: keys.signingKeys.map((k) => k.kid),
  });
  const directory = new LdapAccountDirectory(config.ldap, logger);
  const idp = createDevIdp(config, directory, keys, logger);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    idp.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('stop failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  await idp.listen();
  logger.info('listening', {
    config: redactedConfig(config),
    url: `http://${config.bindAddress}:${config.port}`,
  });
}

main().catch((error: unknown) => {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'error', logger: 'dev-idp', msg: 'start-up failed', error: error instanceof Error ? error.message : String(error) })}\n`,
  );
  process.exit(1);
});
