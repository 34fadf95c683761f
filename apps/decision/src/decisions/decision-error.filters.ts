// Where DecisionError meets a transport: the status comes from DECISION_ERROR_STATUS only.
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  type RpcExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { throwError, type Observable } from 'rxjs';
import { LOGGER, apiError, errorTypeFor } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
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

/** Every error of a gRPC handler: DecisionError by the table, anything else INTERNAL with no detail. */
@Catch()
export class DecisionErrorGrpcFilter implements RpcExceptionFilter<unknown> {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown): Observable<never> {
    if (error instanceof DecisionError)
      return throwError(() => ({
        code: DECISION_ERROR_STATUS[error.code].grpc,
        message: error.message,
        details: error.message,
      }));
    this.logger.error({ err: error }, 'gRPC call failed');
    return throwError(() => ({
      code: GrpcStatus.INTERNAL,
      message: 'internal error',
      details: 'internal error',
    }));
  }
}
