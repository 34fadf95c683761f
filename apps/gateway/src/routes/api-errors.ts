import type { FastifyError, FastifyInstance } from 'fastify';
import { replyWithApiError } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { BODY_PROBLEMS } from './json-body';

/** Fastify's own refusals of a request it could not read, as field-naming OpenAI errors. */
export function requestProblem(
  error: FastifyError,
): { status: number; code: string; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return BODY_PROBLEMS.tooLarge;
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return BODY_PROBLEMS.mediaType;
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return BODY_PROBLEMS.empty;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return BODY_PROBLEMS.length;
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return BODY_PROBLEMS.invalidJson;
      }
      return typeof error.statusCode === 'number' && error.statusCode < 500
        ? { status: error.statusCode, code: 'invalid_request', message: error.message }
        : null;
  }
}

/** Errors of a route scope in the shape of every Modelgate API. */
export function useApiErrors(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = requestProblem(error);
    if (problem === null) {
      logger.error({ err: error, request_id: request.id }, 'request failed');
      return replyWithApiError(reply, String(request.id), 500, 'internal_error', 'internal error');
    }
    return replyWithApiError(reply, String(request.id), problem.status, problem.code, problem.message);
  });
}
