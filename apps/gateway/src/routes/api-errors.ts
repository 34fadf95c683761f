import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { replyWithApiError } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';

/** Fastify's own refusals of a request it could not read, as field-naming OpenAI errors. */
export function requestProblem(
  error: FastifyError,
): { status: number; code: string; message: string } | null {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'request_too_large', message: 'body: larger than this route accepts' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'unsupported_media_type',
        message: 'content-type: expected application/json',
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'invalid_json', message: 'body: expected a JSON object, got nothing' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'invalid_request', message: 'content-length: does not match the body' };
    default:
      if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        return { status: 400, code: 'invalid_json', message: 'body: not valid JSON' };
      }
      return typeof error.statusCode === 'number' && error.statusCode < 500
        ? { status: error.statusCode, code: 'invalid_request', message: error.message }
        : null;
  }
}

/**
 * Errors of a route scope in the shape of every Modelgate API. `onRefused` lets the scope
 * record a refusal it knows the caller of.
 */
export function useApiErrors(
  app: FastifyInstance,
  logger: Logger,
  onRefused?: (request: FastifyRequest, reply: FastifyReply, detail: string) => void,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = requestProblem(error);
    if (problem === null) {
      logger.error({ err: error, request_id: request.id }, 'request failed');
      return replyWithApiError(reply, String(request.id), 500, 'internal_error', 'internal error');
    }
    onRefused?.(request, reply, problem.message);
    return replyWithApiError(reply, String(request.id), problem.status, problem.code, problem.message);
  });
}
