// gRPC transport of the decision API (`modelgate.decision.v1.DecisionService`) on
// @modelgate/grpc-unary's server, beside the REST controller over the same DecisionService.
// It listens when the app has started (the policy feed is up by then) and closes, letting
// calls in flight finish, before the recorder and the feed stop.
import type { IncomingHttpHeaders } from 'node:http2';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { DECISION_GRPC_CONTRACT, type DecisionGrpcMethod } from '@modelgate/contracts/grpc';
import {
  firstMetadata,
  GrpcCode,
  GrpcUnaryServer,
  loadUnaryMethods,
  type GrpcStatus,
  type UnaryHandler,
} from '@modelgate/grpc-unary';
import type { Logger } from '@modelgate/telemetry';
import { DECISION_ERROR_STATUS, DecisionError } from './decision.error';
import type { CallMeta, DecisionService } from './decision.service';

/** The request id and trace context a caller sent, if they are sane (anything longer than 256 is dropped). */
function metaOf(metadata: IncomingHttpHeaders): CallMeta {
  const first = (key: string): string | null => {
    const value = firstMetadata(metadata, key);
    return typeof value === 'string' && value.length <= 256 ? value : null;
  };
  return {
    requestId: first('x-request-id'),
    traceparent: first('traceparent'),
    receivedAt: process.hrtime.bigint(),
  };
}

/** The four methods, each handed to DecisionService with the call's metadata. */
export function decisionGrpcHandlers(decisions: DecisionService): UnaryHandler<unknown, unknown>[] {
  const methods = loadUnaryMethods(DECISION_GRPC_CONTRACT);
  const handler = (
    name: DecisionGrpcMethod,
    handle: (request: unknown, meta: CallMeta) => unknown,
  ): UnaryHandler<unknown, unknown> => {
    const method = methods[name];
    return {
      path: method.path,
      deserialize: (bytes) => method.requestDeserialize(bytes),
      serialize: (answer) => method.responseSerialize(answer as object),
      handle: (request, metadata) => handle(request, metaOf(metadata)),
    };
  };
  return [
    handler('Check', (request, meta) => decisions.check(request, meta)),
    handler('CheckBatch', async (request, meta) => ({
      decisions: await decisions.checkBatch(request, meta),
    })),
    handler('ListVisibleModels', (request, meta) => decisions.visibleModels(request, meta)),
    handler('Explain', (request, meta) => decisions.explain(request, meta)),
  ];
}

/** A handler's error as the caller sees it: DecisionError by the table, anything else INTERNAL with no detail. */
export function decisionGrpcStatus(logger: Logger): (error: unknown, path: string) => GrpcStatus {
  return (error, path) => {
    if (error instanceof DecisionError) {
      return { code: DECISION_ERROR_STATUS[error.code].grpc, message: error.message };
    }
    logger.error({ err: error, method: path }, 'gRPC call failed');
    return { code: GrpcCode.INTERNAL, message: 'internal error' };
  };
}

export class DecisionGrpcTransport implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: GrpcUnaryServer;

  constructor(
    decisions: DecisionService,
    private readonly address: { readonly host: string; readonly port: number },
    private readonly graceMs: number,
    private readonly logger: Logger,
  ) {
    this.server = new GrpcUnaryServer(decisionGrpcHandlers(decisions), {
      statusOf: decisionGrpcStatus(logger),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = await this.server.listen(this.address.port, this.address.host);
    this.logger.info({ host: this.address.host, port }, 'gRPC listening');
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.server.close(this.graceMs);
  }
}
