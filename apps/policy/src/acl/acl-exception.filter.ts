import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticationError, PUBLIC_AUTH_FAILURE_MESSAGE } from '@modelgate/auth';
import { replyWithApiError } from '@modelgate/service-kit';
import { AclError } from './domain/acl-error';
import { ACL_ERROR_HTTP_STATUS } from './acl-error-http';

/** ACL domain errors and refused credentials → the OpenAI-shaped error body, with JSON paths for invalid documents. */
@Catch(AclError, AuthenticationError)
export class AclExceptionFilter implements ExceptionFilter {
  catch(exception: AclError | AuthenticationError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const error =
      exception instanceof AuthenticationError
        ? new AclError('unauthenticated', PUBLIC_AUTH_FAILURE_MESSAGE)
        : exception;
    replyWithApiError(
      reply,
      String(request.id),
      ACL_ERROR_HTTP_STATUS[error.code],
      error.code,
      error.message,
      error.issues ? { issues: error.issues } : {},
    );
  }
}
