// Claims of a demo-directory user, as the dev IdP puts them into ID and access tokens.
// Pure: no LDAP, no oidc-provider — the mapping is the part worth unit-testing.

/** A user as read from the directory (after a successful bind, or by the service account). */
export interface DirectoryUser {
  readonly uid: string;
  readonly dn: string;
  readonly mail: string | undefined;
  readonly name: string | undefined;
  readonly givenName: string | undefined;
  readonly familyName: string | undefined;
  /** Group common names (e.g. `researchers`), from `memberOf` under the group base. */
  readonly groups: readonly string[];
}

/**
 * Group → roles of the demo directory (ARCHITECTURE.md, "Demo directory"), published
 * Keycloak-style as `realm_access.roles` so that identity can be tested on claim paths.
 */
export const GROUP_ROLES: Readonly<Record<string, readonly string[]>> = {
  'acl-admins': ['acl-admin'],
  researchers: ['researcher'],
  partners: ['partner'],
  auditors: ['acl-viewer', 'auditor'],
};

/** Roles of a set of groups: mapped, de-duplicated, sorted; unmapped groups give none. */
export function rolesForGroups(groups: readonly string[]): string[] {
  const roles = new Set<string>();
  for (const group of groups) {
    for (const role of Object.hasOwn(GROUP_ROLES, group) ? (GROUP_ROLES[group] ?? []) : []) roles.add(role);
  }
  return [...roles].sort();
}

// A type alias, not an interface: it must fit oidc-provider's index-signature AccountClaims.
export type UserClaims = {
  sub: string;
  preferred_username: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  groups: string[];
  realm_access: { roles: string[] };
};

/** Every claim the IdP knows for a user; oidc-provider filters them by granted scope. */
export function userClaims(user: DirectoryUser): UserClaims {
  const groups = [...new Set(user.groups)].sort();
  const claims: UserClaims = {
    sub: user.uid,
    preferred_username: user.uid,
    groups,
    realm_access: { roles: rolesForGroups(groups) },
  };
  if (user.mail !== undefined) {
    claims.email = user.mail;
    // The directory is the authority on its users' addresses.
    claims.email_verified = true;
  }
  if (user.name !== undefined) claims.name = user.name;
  if (user.givenName !== undefined) claims.given_name = user.givenName;
  if (user.familyName !== undefined) claims.family_name = user.familyName;
  return claims;
}

/** The claims that go into a JWT access token beside iss/sub/aud/exp/client_id/scope. */
export function accessTokenClaims(user: DirectoryUser): Record<string, unknown> {
  const { sub: _sub, ...rest } = userClaims(user);
  return rest;
}

/** Scope → claims published in the discovery document and used for filtering. */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  groups: ['groups', 'realm_access'],
};
