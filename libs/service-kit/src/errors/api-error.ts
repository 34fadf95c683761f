/**
 * The error body of every Modelgate HTTP API, shaped like OpenAI's so that OpenAI
 * clients surface our messages: `{"error":{"message","type","code"}}`.
 */
export interface ApiErrorBody {
  error: { message: string; type: string; code: string | null; request_id?: string };
}

export function apiError(
  message: string,
  type: string,
  code: string | null,
  requestId?: string,
): ApiErrorBody {
  return { error: { message, type, code, ...(requestId ? { request_id: requestId } : {}) } };
}

/** OpenAI's error `type` for each HTTP status class we answer with. */
export function errorTypeFor(status: number): string {
  if (status === 400 || status === 422 || status === 413) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 409 || status === 412) return 'conflict_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'service_unavailable';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** Minimal reply/request surface, so this stays free of a Fastify import. */
interface ErrorReply {
  header(name: string, value: string): unknown;
  status(code: number): { send(body: unknown): unknown };
}

/**
 * Sends a module's error in the shared shape: status, OpenAI error type, the module's
 * code, the request id, and a Bearer challenge on 401. `extra` adds fields such as the
 * JSON paths of an invalid document.
 */
export function replyWithApiError(
  reply: ErrorReply,
  requestId: string,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  reply
    .status(status)
    .send({ error: { ...apiError(message, errorTypeFor(status), code, requestId).error, ...extra } });
}
