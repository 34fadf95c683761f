import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '@modelgate/telemetry';
import { apiError, errorTypeFor } from './api-error';

/**
 * Last line of error handling: every error becomes the OpenAI-shaped body with the
 * request id. A 5xx never shows its internals to the caller; the log has them.
 */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const requestId = String(request.id);

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (isApiErrorBody(body)) {
        void reply.status(status).send({ error: { ...body.error, request_id: requestId } });
        return;
      }
      const message = typeof body === 'string' ? body : (messageOf(body) ?? exception.message);
      if (status >= 500) this.logger.error({ err: exception, request_id: requestId }, 'request failed');
      void reply
        .status(status)
        .send(
          apiError(status >= 500 ? 'internal error' : message, errorTypeFor(status), codeOf(body), requestId),
        );
      return;
    }

    // Fastify's own errors (body too large, bad JSON) carry a statusCode below 500.
    const fastifyStatus = statusOf(exception);
    if (fastifyStatus !== undefined && fastifyStatus < 500) {
      const message = exception instanceof Error ? exception.message : 'bad request';
      void reply.status(fastifyStatus).send(apiError(message, errorTypeFor(fastifyStatus), null, requestId));
      return;
    }

    this.logger.error({ err: exception, request_id: requestId }, 'unhandled error');
    void reply
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .send(apiError('internal error', 'server_error', null, requestId));
  }
}

function isApiErrorBody(
  body: unknown,
): body is { error: { message: string; type: string; code: string | null } } {
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'object';
}

function messageOf(body: object): string | undefined {
  const m = (body as { message?: unknown }).message;
  if (Array.isArray(m)) return m.join('; ');
  return typeof m === 'string' ? m : undefined;
}

function codeOf(body: unknown): string | null {
  const code = typeof body === 'object' && body !== null ? (body as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : null;
}

function statusOf(exception: unknown): number | undefined {
  const s =
    typeof exception === 'object' && exception !== null
      ? (exception as { statusCode?: unknown }).statusCode
      : undefined;
  return typeof s === 'number' ? s : undefined;
}
