import type { BearerAuthenticator } from '@modelgate/auth';

/** Turns an `Authorization` header into a principal, or rejects with an AuthenticationError. */
export type PrincipalAuthenticator = BearerAuthenticator;

export const PRINCIPAL_AUTHENTICATOR = Symbol('PRINCIPAL_AUTHENTICATOR');

/** Roles that may read and write ACL documents (ARCHITECTURE.md: `acl-admin` writes, `acl-viewer` reads). */
export interface AclRoles {
  readonly admin: readonly string[];
  readonly viewer: readonly string[];
}

export const ACL_ROLES = Symbol('ACL_ROLES');
