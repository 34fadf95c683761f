import { HttpStatus } from '@nestjs/common';
import type { AclErrorCode } from './domain/acl-error';

/** The HTTP status of each ACL error code; the compiler checks that every code has one. */
export const ACL_ERROR_HTTP_STATUS = {
  invalid_policy: HttpStatus.BAD_REQUEST,
  invalid_request: HttpStatus.BAD_REQUEST,
  model_mismatch: HttpStatus.BAD_REQUEST,
  empty_rules_unconfirmed: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  rule_not_found: HttpStatus.NOT_FOUND,
  rule_exists: HttpStatus.CONFLICT,
  no_shadow: HttpStatus.CONFLICT,
  no_enforced_document: HttpStatus.CONFLICT,
  unknown_version: HttpStatus.BAD_REQUEST,
  version_mismatch: HttpStatus.PRECONDITION_FAILED,
  write_conflict: HttpStatus.CONFLICT,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
} as const satisfies Record<AclErrorCode, HttpStatus>;
