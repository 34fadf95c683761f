// Where DecisionError meets the REST transport: the status comes from DECISION_ERROR_STATUS
// only (the gRPC transport reads the same table, in decisions.grpc-server.ts).
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiError, errorTypeFor } from '@modelgate/service-kit';
import { DECISION_ERROR_STATUS, DecisionError } from './decision.error';

@Catch(DecisionError)
export class DecisionErrorHttpFilter implements ExceptionFilter<DecisionError> {
  catch(error: DecisionError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const status = DECISION_ERROR_STATUS[error.code].http;
    const request = http.getRequest<FastifyRequest>();
    void http
      .getResponse<FastifyReply>()
      .status(status)
      .send(apiError(error.message, errorTypeFor(status), error.code, String(request.id)));
  }
}
