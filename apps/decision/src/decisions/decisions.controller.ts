import { Body, Controller, HttpCode, HttpStatus, Inject, Post, Req, UseFilters } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DecisionService, type CallMeta } from './decision.service';
import { DecisionErrorHttpFilter } from './decision-error.filters';
import type { CheckAnswerV1, ExplainAnswerV1, VisibleModelsAnswerV1 } from '@modelgate/contracts';

function metaOf(request: FastifyRequest): CallMeta {
  const traceparent = request.headers['traceparent'];
  return {
    requestId: String(request.id),
    traceparent: typeof traceparent === 'string' ? traceparent : null,
    receivedAt: process.hrtime.bigint(),
  };
}

/** REST transport of the decision API (ARCHITECTURE.md "Decision"). */
@Controller('v1/decisions')
@UseFilters(DecisionErrorHttpFilter)
export class DecisionsController {
  constructor(@Inject(DecisionService) private readonly decisions: DecisionService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  check(@Body() body: unknown, @Req() request: FastifyRequest): Promise<CheckAnswerV1> {
    return this.decisions.check(body, metaOf(request));
  }

  @Post('batch')
  @HttpCode(HttpStatus.OK)
  async batch(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<{ decisions: CheckAnswerV1[] }> {
    return { decisions: await this.decisions.checkBatch(body, metaOf(request)) };
  }

  @Post('visible-models')
  @HttpCode(HttpStatus.OK)
  visibleModels(@Body() body: unknown, @Req() request: FastifyRequest): VisibleModelsAnswerV1 {
    return this.decisions.visibleModels(body, metaOf(request));
  }

  @Post('explain')
  @HttpCode(HttpStatus.OK)
  explain(@Body() body: unknown, @Req() request: FastifyRequest): ExplainAnswerV1 {
    return this.decisions.explain(body, metaOf(request));
  }
}
