import { discoveredJwksLoader } from '../jwt/oidc-discovery';
import { httpJsonFetcher } from '../jwt/json-fetcher';
import { JwksCache } from '../jwt/jwks-cache';
import { JwtVerifier } from '../jwt/jwt-verifier';
import { claimPreset } from '../principal/claim-mapping';
import type { Principal } from '../principal/principal';
import { bearerCredential, PrincipalResolver } from './principal-resolver';

/** Turns an `Authorization` header into a principal, or rejects with an AuthenticationError. */
export interface BearerAuthenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** Whose tokens a service that is not identity accepts. */
export interface TrustedIssuersConfig {
  /** identity's `iss`: its tokens are `at+jwt`, keys from its discovery document. */
  readonly identityIssuer: string;
  readonly identityAudience: string;
  /** External OIDC issuers (exact `iss`), read with the generic claim layout. */
  readonly oidcIssuers: readonly string[];
  readonly oidcAudience: readonly string[];
  /** How long a verified token is remembered (never past its `exp`); 0 verifies every call. */
  readonly verifiedTokenCacheMs?: number;
}

/**
 * Bearer JWTs from identity or a trusted OIDC issuer, for the services that only read
 * callers (policy, audit). API keys are refused: those services keep no key store.
 */
export function bearerAuthenticator(config: TrustedIssuersConfig): BearerAuthenticator {
  const fetchJson = httpJsonFetcher();
  const keys = (issuer: string) =>
    new JwksCache(discoveredJwksLoader(issuer, fetchJson), { cooldownMs: 5_000 });
  const verifier = new JwtVerifier([
    {
      issuer: config.identityIssuer,
      audience: [config.identityAudience],
      keys: keys(config.identityIssuer),
      typ: 'at+jwt',
    },
    ...config.oidcIssuers.map((issuer) => ({
      issuer,
      audience: [...config.oidcAudience],
      keys: keys(issuer),
    })),
  ]);
  const mapping = claimPreset('generic');
  const resolver = new PrincipalResolver({
    verifier,
    identityIssuer: config.identityIssuer,
    claimMappings: new Map(config.oidcIssuers.map((issuer) => [issuer, mapping])),
    groupRoles: {},
    ...(config.verifiedTokenCacheMs !== undefined
      ? { verifiedTokenCacheMs: config.verifiedTokenCacheMs }
      : {}),
  });
  return { authenticate: (authorization) => resolver.resolve(bearerCredential(authorization)) };
}
