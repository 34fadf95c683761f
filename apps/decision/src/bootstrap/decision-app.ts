// The decision service as an app: the REST API on Fastify (service-kit) and the gRPC API on
// its own HTTP/2 listener (DecisionGrpcTransport), both over one application layer.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { DecisionConfig } from '../config';
import type { DecisionSeams } from '../decision.module';
import { decisionModules } from '../decision.modules';

/** The app as main() builds it, for tests that start it in-process (gRPC listens at `init()`). */
export function createDecisionApp(
  config: DecisionConfig,
  logger?: Logger,
  seams: DecisionSeams = {},
): Promise<NestFastifyApplication> {
  return createServiceApp({
    name: 'decision',
    config,
    imports: decisionModules(config, seams),
    ...(logger ? { logger } : {}),
  });
}
