// The decision service as a hybrid app: the REST API on Fastify (service-kit) and the gRPC
// API through @nestjs/microservices' gRPC transport, both over one application layer.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import {
  DECISION_GRPC_PACKAGE,
  DECISION_PROTO_LOADER_OPTIONS,
  DECISION_PROTO_PATH,
} from '@modelgate/contracts/grpc';
import { createServiceApp } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { DecisionConfig } from '../config';
import type { DecisionSeams } from '../decision.module';
import { decisionModules } from '../decision.modules';

export function grpcUrl(config: Pick<DecisionConfig, 'BIND_ADDRESS' | 'GRPC_PORT'>): string {
  const host = config.BIND_ADDRESS.includes(':') ? `[${config.BIND_ADDRESS}]` : config.BIND_ADDRESS;
  return `${host}:${config.GRPC_PORT}`;
}

/** Connects the gRPC transport; runService starts it before the HTTP listener. */
export function connectGrpc(app: NestFastifyApplication, config: DecisionConfig): void {
  app.connectMicroservice<GrpcOptions>({
    transport: Transport.GRPC,
    options: {
      package: DECISION_GRPC_PACKAGE,
      protoPath: DECISION_PROTO_PATH,
      url: grpcUrl(config),
      loader: { ...DECISION_PROTO_LOADER_OPTIONS },
      gracefulShutdown: true,
    },
  });
}

/** The app as main() builds it, for tests that start it in-process. */
export function createDecisionApp(
  config: DecisionConfig,
  logger?: Logger,
  seams: DecisionSeams = {},
): Promise<NestFastifyApplication> {
  return createServiceApp({
    name: 'decision',
    config,
    imports: decisionModules(config, seams),
    configure: connectGrpc,
    ...(logger ? { logger } : {}),
  });
}
