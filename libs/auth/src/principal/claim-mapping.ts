import type { PrincipalType } from './principal';
import { normalisePrincipalId } from './principal';

/**
 * Where an issuer puts identity, roles and groups in its tokens. A path is a list of
 * property names (`["realm_access", "roles"]`); configuration writes it dotted
 * (`realm_access.roles`). The first id path holding a non-empty string wins; roles and
 * groups are the union of every path holding a string or an array of strings.
 */
export interface ClaimMapping {
  readonly id: readonly ClaimPath[];
  readonly roles: readonly ClaimPath[];
  readonly groups: readonly ClaimPath[];
}

export type ClaimPath = readonly string[];

export type ClaimPreset = 'keycloak' | 'entra' | 'okta' | 'generic';

/** Claim layouts of the issuers we meet. `client` is the OAuth client (Keycloak `resource_access.<client>`). */
export function claimPreset(preset: ClaimPreset, client = 'modelgate'): ClaimMapping {
  const id: ClaimPath[] = [['email'], ['sub']];
  switch (preset) {
    case 'keycloak':
      return {
        id,
        roles: [
          ['realm_access', 'roles'],
          ['resource_access', client, 'roles'],
        ],
        groups: [['groups']],
      };
    case 'entra':
      // Entra ID app roles arrive in `roles`; `groups` holds group object ids (or names when so configured).
      return { id: [['email'], ['preferred_username'], ['sub']], roles: [['roles']], groups: [['groups']] };
    case 'okta':
      return { id, roles: [], groups: [['groups']] };
    case 'generic':
      return {
        id,
        roles: [['roles'], ['realm_access', 'roles'], ['resource_access', client, 'roles']],
        groups: [['groups']],
      };
  }
}

/** `realm_access.roles` → `["realm_access","roles"]`. Rejects empty segments. */
export function parseClaimPath(path: string): ClaimPath {
  const parts = path.split('.');
  if (parts.some((p) => p.trim() === '')) throw new Error(`invalid claim path "${path}"`);
  return parts.map((p) => p.trim());
}

/** Caps that keep a token with 100k groups from turning into 100k-entry principals. */
const MAX_VALUES = 256;
const MAX_VALUE_LENGTH = 256;

export function readClaim(payload: unknown, path: ClaimPath): unknown {
  let node: unknown = payload;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) {
      return undefined;
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (v): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_VALUE_LENGTH,
  );
}

function collect(payload: unknown, paths: readonly ClaimPath[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    for (const v of strings(readClaim(payload, path))) {
      if (out.size >= MAX_VALUES) break;
      out.add(v);
    }
  }
  return [...out].sort();
}

export interface MappedClaims {
  readonly id: string;
  readonly type: PrincipalType;
  readonly roles: string[];
  readonly groups: string[];
}

/**
 * Claims → principal fields. A token without a usable id yields undefined. A token with
 * no mail whose subject is its own client (`client_id` / `azp`), as client-credentials
 * tokens are, is a service account.
 */
export function mapClaims(payload: Record<string, unknown>, mapping: ClaimMapping): MappedClaims | undefined {
  let id: string | undefined;
  for (const path of mapping.id) {
    const v = readClaim(payload, path);
    if (typeof v === 'string' && v.trim() !== '' && v.length <= MAX_VALUE_LENGTH) {
      id = v;
      break;
    }
  }
  if (id === undefined) return undefined;
  const sub = payload['sub'];
  const client = payload['client_id'] ?? payload['azp'];
  const type: PrincipalType =
    typeof payload['email'] !== 'string' && typeof sub === 'string' && sub === client
      ? 'service_account'
      : 'user';
  return {
    id: normalisePrincipalId(id),
    type,
    roles: collect(payload, mapping.roles),
    groups: collect(payload, mapping.groups),
  };
}
