// Every API answers errors as OpenAI does: {"error":{"message","type","code",...}}; the
// policy API adds `issues` (JSON path + message) for invalid documents.

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** A refused or failed API call, with what the server said (never a generic "failed"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isConflict(): boolean {
    return this.status === 412;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function issuesOf(value: unknown): ValidationIssue[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) =>
    isRecord(item) && typeof item['path'] === 'string' && typeof item['message'] === 'string'
      ? [{ path: item['path'], message: item['message'] }]
      : [],
  );
}

/** The ApiError of a non-2xx answer; a body that is not the error shape still names the status. */
export function apiErrorOf(status: number, body: unknown, statusText = ''): ApiError {
  const error = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
  if (error === null) {
    return new ApiError(status, `http_${status}`, `HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
  }
  const message = typeof error['message'] === 'string' ? error['message'] : `HTTP ${status}`;
  const code =
    typeof error['code'] === 'string'
      ? error['code']
      : typeof error['type'] === 'string'
        ? error['type']
        : `http_${status}`;
  const requestId = typeof error['request_id'] === 'string' ? error['request_id'] : null;
  return new ApiError(status, code, message, issuesOf(error['issues']), requestId);
}

/** What to show a person for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
