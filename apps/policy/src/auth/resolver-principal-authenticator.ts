import {
  bearerCredential,
  claimPreset,
  discoveredJwksLoader,
  httpJsonFetcher,
  JwksCache,
  JwtVerifier,
  PrincipalResolver,
  type Principal,
} from '@modelgate/auth';
import type { PrincipalAuthenticator } from './principal-authenticator.port';

export interface TrustedIssuersConfig {
  /** identity's `iss` (its tokens are `at+jwt`, ES256, keys at its discovery's jwks_uri). */
  readonly identityIssuer: string;
  readonly identityAudience: string;
  /** External OIDC issuers (exact `iss`), with the generic claim layout (`roles`, `realm_access.roles`...). */
  readonly oidcIssuers: readonly string[];
  readonly oidcAudience: readonly string[];
}

/**
 * Bearer JWTs from identity or a trusted OIDC issuer, through libs/auth. API keys are
 * refused: ACL administration needs a user token (ARCHITECTURE.md).
 */
export class ResolverPrincipalAuthenticator implements PrincipalAuthenticator {
  constructor(private readonly resolver: PrincipalResolver) {}

  static fromConfig(config: TrustedIssuersConfig): ResolverPrincipalAuthenticator {
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
    return new ResolverPrincipalAuthenticator(
      new PrincipalResolver({
        verifier,
        identityIssuer: config.identityIssuer,
        claimMappings: new Map(config.oidcIssuers.map((issuer) => [issuer, mapping])),
        groupRoles: {},
      }),
    );
  }

  authenticate(authorization: string | undefined): Promise<Principal> {
    return this.resolver.resolve(bearerCredential(authorization));
  }
}
