import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { apiKeyMatches, hashApiKey, looksLikeApiKey, parseApiKey } from '../api-key/api-key';
import { AuthenticationError } from '../principal/authentication.error';
import { mapClaims, type ClaimMapping } from '../principal/claim-mapping';
import {
  normalisePrincipalId,
  rolesForGroups,
  type GroupRoleMap,
  type Principal,
} from '../principal/principal';
import type { JwtVerifier } from '../jwt/jwt-verifier';
import type { ApiKeyStore } from './api-key-store';

export interface PrincipalResolverOptions {
  readonly verifier: JwtVerifier;
  /** `iss` of the tokens identity issues: their claims are identity's own (`sub`, `principal_type`, `roles`, `groups`). */
  readonly identityIssuer: string;
  /** Claim layout per external issuer. */
  readonly claimMappings: ReadonlyMap<string, ClaimMapping>;
  /** Group → roles, applied to OIDC principals (LDAP logins have it applied when the token is issued). */
  readonly groupRoles: GroupRoleMap;
  /** Without it API keys are refused. */
  readonly apiKeys?: ApiKeyStore;
  readonly now?: () => number;
  /**
   * How long a verified JWT's principal is remembered (never past its `exp`), so that a
   * client reusing its token pays the signature check once. 0 disables. JWTs cannot be
   * revoked before `exp` anyway; the cap bounds how long a key withdrawn from a JWKS
   * still counts.
   */
  readonly verifiedTokenCacheMs?: number;
  readonly verifiedTokenCacheSize?: number;
}

/** A hash no key has, compared when the id is unknown so that both paths cost the same. */
const NO_SUCH_KEY_HASH = hashApiKey('mg_0000000000000000_unknown-key-placeholder-000000000000000');

/** `Authorization` header → credential. Only `Bearer <value>` with a single space; anything else is undefined. */
export function bearerCredential(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer ([\x21-\x7e]+)$/i.exec(header);
  return m?.[1];
}

/**
 * Turns a bearer credential (identity JWT, OIDC JWT, or `mg_` API key) into a principal.
 * The one call every request goes through; failures are {@link AuthenticationError}s.
 */
export class PrincipalResolver {
  private readonly now: () => number;
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly cacheMs: number;
  private readonly cacheSize: number;

  constructor(private readonly options: PrincipalResolverOptions) {
    this.now = options.now ?? Date.now;
    this.cacheMs = options.verifiedTokenCacheMs ?? 0;
    this.cacheSize = options.verifiedTokenCacheSize ?? 10_000;
  }

  async resolve(credential: string | undefined): Promise<Principal> {
    if (!credential) throw new AuthenticationError('missing');
    if (looksLikeApiKey(credential)) return this.resolveApiKey(credential);
    const now = this.now();
    // Keyed by digest: 10,000 entries of 16 KB tokens would otherwise be 160 MB.
    const cacheKey = this.cacheMs > 0 ? createHash('sha256').update(credential).digest('base64url') : '';
    const hit = this.cacheMs > 0 ? this.verified.get(cacheKey) : undefined;
    if (hit && hit.until > now) return hit.principal;
    const { issuer, payload } = await this.options.verifier.verify(credential);
    const principal =
      issuer === this.options.identityIssuer
        ? this.fromIdentityToken(issuer, payload)
        : this.fromOidcToken(issuer, payload);
    if (this.cacheMs > 0) {
      if (this.verified.size >= this.cacheSize) this.verified.clear();
      this.verified.set(cacheKey, { principal, until: Math.min(now + this.cacheMs, payload.exp! * 1000) });
    }
    return principal;
  }

  private fromIdentityToken(issuer: string, payload: JWTPayload): Principal {
    const { sub } = payload;
    const type = payload['principal_type'];
    if (typeof sub !== 'string' || sub === '' || (type !== 'user' && type !== 'service_account')) {
      throw new AuthenticationError('bad_claims', 'identity token without sub/principal_type');
    }
    return {
      id: sub,
      type,
      roles: stringList(payload['roles']),
      groups: stringList(payload['groups']),
      credential: { kind: 'identity_token', issuer, ...(payload.exp ? { expiresAt: payload.exp } : {}) },
    };
  }

  private fromOidcToken(issuer: string, payload: JWTPayload): Principal {
    const mapping = this.options.claimMappings.get(issuer);
    const mapped = mapping ? mapClaims(payload, mapping) : undefined;
    if (!mapped) throw new AuthenticationError('bad_claims', 'no usable principal id');
    return {
      id: mapped.id,
      type: mapped.type,
      roles: rolesForGroups(mapped.groups, this.options.groupRoles, mapped.roles),
      groups: mapped.groups,
      credential: { kind: 'oidc_token', issuer, ...(payload.exp ? { expiresAt: payload.exp } : {}) },
    };
  }

  private async resolveApiKey(secret: string): Promise<Principal> {
    const store = this.options.apiKeys;
    const parsed = parseApiKey(secret);
    if (!store || !parsed) throw new AuthenticationError('malformed', 'not an API key');
    const record = await store.findById(parsed.id);
    // Compare even when the id is unknown: an unknown id and a wrong secret take the same time.
    const matches = apiKeyMatches(secret, record?.hash ?? NO_SUCH_KEY_HASH);
    if (!record || !matches) throw new AuthenticationError('invalid_credentials');
    if (record.revoked) throw new AuthenticationError('revoked');
    if (record.ownerDisabled) throw new AuthenticationError('disabled');
    if (record.expiresAt !== null && record.expiresAt <= this.now()) throw new AuthenticationError('expired');
    store.touch?.(record.id);
    return {
      id: normalisePrincipalId(record.ownerId),
      type: record.ownerType,
      roles: [...record.roles],
      groups: [...record.groups],
      credential: {
        kind: 'api_key',
        issuer: this.options.identityIssuer,
        keyId: record.id,
        ...(record.models ? { models: record.models } : {}),
        ...(record.operations ? { operations: record.operations } : {}),
        ...(record.expiresAt !== null ? { expiresAt: Math.floor(record.expiresAt / 1000) } : {}),
      },
    };
  }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, 256) : [];
}
