import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, PUBLIC_AUTH_FAILURE_MESSAGE } from '@modelgate/auth';
import { replyWithApiError } from '@modelgate/service-kit';
import { AUDIT_ERROR_HTTP_STATUS, AuditError } from './audit-error';

/** Audit errors and refused credentials → the OpenAI-shaped error body. */
@Catch(AuditError, AuthenticationError)
export class AuditExceptionFilter implements ExceptionFilter {
  catch(exception: AuditError | AuthenticationError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const error =
      exception instanceof AuthenticationError
        ? new AuditError('unauthenticated', PUBLIC_AUTH_FAILURE_MESSAGE)
        : exception;
    replyWithApiError(
      reply,
      String(request.id),
      AUDIT_ERROR_HTTP_STATUS[error.code],
      error.code,
      error.message,
    );
  }
}
