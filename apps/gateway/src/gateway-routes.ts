import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Agent } from 'undici';
import type { IncomingMessage } from 'node:http';
import { LOGGER, RawRequests } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { AccessGate } from './access/access-gate';
import { adminReads } from './admin/admin-reads.plugin';
import { adminRoutes } from './admin/admin-routes.plugin';
import { BackendCatalog } from './backends/backend-catalog';
import { resolveClientIp, TrustedProxies } from './client-ip/client-ip';
import type { GatewayConfig } from './config';
import { consoleStatic } from './console/console-static.plugin';
import { DecisionClient } from './decision/decision-client';
import { ENGINE_AGENT, SERVICE_AGENT } from './gateway.modules';
import { PrincipalCache } from './principal/principal-cache';
import { OpenAiProxy } from './routes/openai-proxy';
import { openAiRoutes } from './routes/openai-routes.plugin';

/** Registers the gateway's routes on the app's Fastify instance, each group in its own scope. */
export async function registerGatewayRoutes(
  app: NestFastifyApplication,
  config: GatewayConfig,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const logger = app.get<Logger>(LOGGER);
  const catalog = app.get<BackendCatalog>(BackendCatalog);
  const trusted = app.get<TrustedProxies>(TrustedProxies);
  const engines = app.get<Agent>(ENGINE_AGENT);
  const services = app.get<Agent>(SERVICE_AGENT);
  const clientIp = (request: IncomingMessage): string | null =>
    resolveClientIp(
      request.socket.remoteAddress,
      request.headers[config.FORWARDED_HEADER],
      config.FORWARDED_HEADER,
      trusted,
    );

  const gate = app.get<AccessGate>(AccessGate);
  // The proxied routes, ahead of Fastify; the rest of the API below, on Fastify.
  const proxy = new OpenAiProxy({
    gate,
    catalog,
    clientIp,
    dispatcher: engines,
    timeouts: { headersMs: config.UPSTREAM_HEADERS_TIMEOUT_MS, bodyMs: config.UPSTREAM_BODY_TIMEOUT_MS },
    stallTimeoutMs: config.CLIENT_STALL_TIMEOUT_MS,
    maxBodyBytes: config.MAX_BODY_BYTES,
    logger,
  });
  app.get<RawRequests>(RawRequests).use(proxy.take);
  await fastify.register(openAiRoutes, {
    gate,
    decider: app.get<DecisionClient>(DecisionClient),
    catalog,
    clientIp,
    logger,
  });
  await fastify.register(adminRoutes, {
    targets: [
      { service: 'policy', baseUrl: config.POLICY_URL, prefixes: ['/v1/acl'] },
      {
        service: 'identity',
        baseUrl: config.IDENTITY_URL,
        prefixes: ['/v1/keys', '/v1/auth', '/v1/service-accounts', '/v1/principals'],
      },
      { service: 'audit', baseUrl: config.AUDIT_URL, prefixes: ['/v1/audit'] },
    ],
    clientIp,
    dispatcher: services,
    timeoutMs: 30_000,
    stallTimeoutMs: config.CLIENT_STALL_TIMEOUT_MS,
    maxBodyBytes: 4 * 1024 * 1024,
    logger,
  });
  await fastify.register(adminReads, {
    principals: app.get<PrincipalCache>(PrincipalCache),
    catalog,
    readerRoles: config.ADMIN_READ_ROLES,
    decisionUrl: config.DECISION_URL,
    dispatcher: services,
    timeoutMs: 5_000,
    logger,
  });
  if (config.CONSOLE_ENABLED) {
    await fastify.register(consoleStatic, { prefix: '/console', root: config.CONSOLE_DIR });
  }
}
