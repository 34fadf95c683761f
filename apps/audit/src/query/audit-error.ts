import { HttpStatus } from '@nestjs/common';

export type AuditErrorCode = 'invalid_request' | 'invalid_cursor' | 'unauthenticated' | 'forbidden';

/** Errors of the audit API, independent of HTTP; {@link AUDIT_ERROR_HTTP_STATUS} maps them. */
export class AuditError extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditError';
  }
}

export const AUDIT_ERROR_HTTP_STATUS = {
  invalid_request: HttpStatus.BAD_REQUEST,
  invalid_cursor: HttpStatus.BAD_REQUEST,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
} as const satisfies Record<AuditErrorCode, HttpStatus>;
