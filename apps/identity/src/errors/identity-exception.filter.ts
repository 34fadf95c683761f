import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, PUBLIC_AUTH_FAILURE_MESSAGE } from '@modelgate/auth';
import { LOGGER, replyWithApiError } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { IDENTITY_ERROR_HTTP_STATUS, IdentityException } from './identity.exception';

/**
 * The one place identity errors become HTTP answers. Every refused credential gets the
 * same 401 body; the reason goes to the log only.
 */
@Catch(IdentityException, AuthenticationError)
export class IdentityExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: IdentityException | AuthenticationError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const requestId = String(request.id);
    if (exception instanceof AuthenticationError) {
      this.logger.info(
        { request_id: requestId, reason: exception.reason, detail: exception.detail },
        'credential refused',
      );
      replyWithApiError(reply, requestId, 401, 'invalid_credentials', PUBLIC_AUTH_FAILURE_MESSAGE);
      return;
    }
    replyWithApiError(
      reply,
      requestId,
      IDENTITY_ERROR_HTTP_STATUS[exception.code],
      exception.code,
      exception.message,
    );
  }
}
