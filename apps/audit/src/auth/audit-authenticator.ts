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

/** Turns an `Authorization` header into a principal, or rejects with an AuthenticationError. */
export interface PrincipalAuthenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

export const PRINCIPAL_AUTHENTICATOR = Symbol('PRINCIPAL_AUTHENTICATOR');

export interface TrustedIssuersConfig {
  readonly identityIssuer: string;
  readonly identityAudience: string;
  readonly oidcIssuers: readonly string[];
  readonly oidcAudience: readonly string[];
}

/**
 * Bearer JWTs from identity or a trusted OIDC issuer, verified by libs/auth, the same
 * way the policy service does (apps/policy/src/auth/resolver-principal-authenticator.ts;
 * the wiring belongs in libs/auth, see apps/audit/README.md). API keys are refused: the
 * audit service has no key store.
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
        verifiedTokenCacheMs: 60_000,
      }),
    );
  }

  authenticate(authorization: string | undefined): Promise<Principal> {
    return this.resolver.resolve(bearerCredential(authorization));
  }
}
