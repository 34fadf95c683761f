/** What can go wrong with an ACL command or query; transports map each code (acl-error-http.ts). */
export const ACL_ERROR_CODES = [
  'invalid_policy',
  'invalid_request',
  'model_mismatch',
  'empty_rules_unconfirmed',
  'not_found',
  'rule_not_found',
  'rule_exists',
  'no_shadow',
  'no_enforced_document',
  'unknown_version',
  'version_mismatch',
  'write_conflict',
  'unauthenticated',
  'forbidden',
] as const;

export type AclErrorCode = (typeof ACL_ERROR_CODES)[number];

export interface AclIssue {
  readonly path: string;
  readonly message: string;
}

/** A domain error of the ACL module; never an HTTP exception. */
export class AclError extends Error {
  constructor(
    readonly code: AclErrorCode,
    message: string,
    /** Validation problems by JSON path, for `invalid_policy`. */
    readonly issues?: readonly AclIssue[],
  ) {
    super(message);
    this.name = 'AclError';
  }
}
