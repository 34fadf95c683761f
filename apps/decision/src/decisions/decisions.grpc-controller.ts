import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { DECISION_GRPC_SERVICE } from '@modelgate/contracts/grpc';
import { DecisionService, type CallMeta } from './decision.service';
import { DecisionErrorGrpcFilter } from './decision-error.filters';
import type { CheckAnswerV1, ExplainAnswerV1, VisibleModelsAnswerV1 } from '@modelgate/contracts';

function metaOf(metadata: Metadata | undefined): CallMeta {
  const first = (key: string): string | null => {
    const value = metadata?.get(key)[0];
    return typeof value === 'string' && value.length <= 256 ? value : null;
  };
  return {
    requestId: first('x-request-id'),
    traceparent: first('traceparent'),
    receivedAt: process.hrtime.bigint(),
  };
}

/** gRPC transport of the decision API: `modelgate.decision.v1.DecisionService`. */
@Controller()
@UseFilters(DecisionErrorGrpcFilter)
export class DecisionsGrpcController {
  constructor(@Inject(DecisionService) private readonly decisions: DecisionService) {}

  @GrpcMethod(DECISION_GRPC_SERVICE, 'Check')
  check(request: unknown, metadata: Metadata): Promise<CheckAnswerV1> {
    return this.decisions.check(request, metaOf(metadata));
  }

  @GrpcMethod(DECISION_GRPC_SERVICE, 'CheckBatch')
  async checkBatch(request: unknown, metadata: Metadata): Promise<{ decisions: CheckAnswerV1[] }> {
    return { decisions: await this.decisions.checkBatch(request, metaOf(metadata)) };
  }

  @GrpcMethod(DECISION_GRPC_SERVICE, 'ListVisibleModels')
  listVisibleModels(request: unknown, metadata: Metadata): VisibleModelsAnswerV1 {
    return this.decisions.visibleModels(request, metaOf(metadata));
  }

  @GrpcMethod(DECISION_GRPC_SERVICE, 'Explain')
  explain(request: unknown, metadata: Metadata): ExplainAnswerV1 {
    return this.decisions.explain(request, metaOf(metadata));
  }
}
