import type { BearerAuthenticator } from '@modelgate/auth';

/** Turns an `Authorization` header into a principal (bearer JWTs via libs/auth; no API keys). */
export type PrincipalAuthenticator = BearerAuthenticator;

export const PRINCIPAL_AUTHENTICATOR = Symbol('PRINCIPAL_AUTHENTICATOR');
