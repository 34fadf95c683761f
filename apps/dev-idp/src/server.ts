// Composition of the dev IdP: oidc-provider behind a plain Node HTTP server that adds
// /health and the login interaction. main.ts only reads the config and starts it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Provider, { errors } from 'oidc-provider';
import type { DevIdpConfig } from './config/dev-idp.config';
import type { AccountDirectory } from './directory/account-directory';
import { handleInteraction } from './interaction/interaction.routes';
import { PAGE_HEADERS, renderMessagePage } from './interaction/login-page';
import type { KeyMaterial } from './keys/key-store';
import type { Logger } from './logging/json-logger';
import { buildProviderConfiguration } from './provider/provider-config';

export interface DevIdp {
  readonly provider: Provider;
  readonly server: Server;
  listen(): Promise<void>;
  close(timeoutMs?: number): Promise<void>;
}

export function createDevIdp(
  config: DevIdpConfig,
  directory: AccountDirectory,
  keys: KeyMaterial,
  logger: Logger,
): DevIdp {
  const provider = new Provider(
    config.issuer,
    buildProviderConfiguration({ config, directory, keys, invalidTarget: () => new errors.InvalidTarget() }),
  );
  // Behind nothing: the issuer is what clients use, and the provider runs on plain HTTP.
  provider.proxy = false;
  provider.on('server_error', (_ctx, error) => logger.error('server_error', { error }));
  provider.on('authorization.error', (_ctx, error) => logger.warn('authorization.error', { error }));
  provider.on('grant.error', (_ctx, error) => logger.warn('grant.error', { error }));
  provider.on('introspection.error', (_ctx, error) => logger.warn('introspection.error', { error }));
  provider.on('revocation.error', (_ctx, error) => logger.warn('revocation.error', { error }));
  provider.on('grant.success', (ctx) => {
    logger.info('token issued', {
      client_id: ctx.oidc.client?.clientId,
      grant_type: ctx.oidc.params?.['grant_type'],
    });
  });
  const callback = provider.callback();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: 'ok', issuer: config.issuer }));
      return;
    }
    if (await handleInteraction(req, res, { provider, directory, logger })) return;
    await callback(req, res);
  };

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info('request', {
        method: req.method,
        // Path only: query strings carry codes and states.
        path: (req.url ?? '/').split('?')[0],
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
      });
    });
    handle(req, res).catch((error: unknown) => {
      logger.error('request failed', { error });
      if (!res.headersSent) {
        res.writeHead(500, PAGE_HEADERS);
        res.end(renderMessagePage('Error', 'The identity provider failed; see its log.'));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5000;

  return {
    provider,
    server,
    listen: () =>
      new Promise((resolveListen, rejectListen) => {
        server.once('error', rejectListen);
        server.listen(config.port, config.bindAddress, () => {
          server.off('error', rejectListen);
          resolveListen();
        });
      }),
    close: (timeoutMs = 5000) =>
      new Promise((resolveClose) => {
        const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => {
          clearTimeout(timer);
          resolveClose();
        });
        server.closeIdleConnections();
      }),
  };
}
