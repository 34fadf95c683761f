/**
 * Why a credential was refused. The reason is for logs and metrics only: callers always
 * get the same 401 without it, so that the answer never tells an attacker what to fix.
 */
export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'too_large'
  | 'alg_not_allowed'
  | 'unknown_issuer'
  | 'unknown_key'
  | 'keys_unavailable'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'lifetime_too_long'
  | 'bad_claims'
  | 'invalid_credentials'
  | 'disabled'
  | 'revoked';

export class AuthenticationError extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    /** Internal detail for the log (never sent to the caller). */
    readonly detail?: string,
  ) {
    super(`authentication failed: ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'AuthenticationError';
  }
}

/** The one message every refused credential gets. */
export const PUBLIC_AUTH_FAILURE_MESSAGE = 'invalid or missing credentials';
