/** Who a caller is, as every Modelgate service sees it (the `principal` of a decision request). */
export type PrincipalType = 'user' | 'service_account';

/** How the caller proved it: a token identity issued, a token of a trusted OIDC issuer, or an API key. */
export type CredentialKind = 'identity_token' | 'oidc_token' | 'api_key';

export interface Credential {
  readonly kind: CredentialKind;
  /** Issuer of the token (`iss`), or identity's own issuer for API keys. */
  readonly issuer: string;
  /** The API key's id, when the caller used one (ACL principal type `api_key` matches it). */
  readonly keyId?: string;
  /** Models the API key is limited to (glob patterns); absent = no restriction by the key. */
  readonly models?: readonly string[];
  /** Operations the API key is limited to; absent = no restriction by the key. */
  readonly operations?: readonly string[];
  /** Seconds since the epoch when the credential stops being valid. */
  readonly expiresAt?: number;
}

export interface Principal {
  /** Users: the mail address, lower-cased (else the token's `sub`). Service accounts: their id. */
  readonly id: string;
  readonly type: PrincipalType;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly credential: Credential;
}

/** ARCHITECTURE.md: principal values compare exactly after this normalisation (emails lower-cased, nothing else). */
export function normalisePrincipalId(id: string): string {
  return id.includes('@') ? id.toLowerCase() : id;
}

/** Roles granted by group membership (`{"researchers": ["researcher"]}`), added to the roles already held. */
export type GroupRoleMap = Readonly<Record<string, readonly string[]>>;

export function rolesForGroups(
  groups: readonly string[],
  map: GroupRoleMap,
  roles: readonly string[] = [],
): string[] {
  const out = new Set(roles);
  for (const g of groups) {
    if (Object.hasOwn(map, g)) for (const r of map[g] ?? []) out.add(r);
  }
  return [...out].sort();
}
