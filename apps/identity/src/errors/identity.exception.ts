/** Error codes of the identity service; {@link IDENTITY_ERROR_HTTP_STATUS} maps each to HTTP. */
export type IdentityErrorCode =
  'unauthenticated' | 'forbidden' | 'not_found' | 'invalid_request' | 'conflict' | 'directory_unavailable';

export class IdentityException extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityException';
  }
}

export const IDENTITY_ERROR_HTTP_STATUS = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  invalid_request: 400,
  conflict: 409,
  directory_unavailable: 503,
} as const satisfies Record<IdentityErrorCode, number>;
