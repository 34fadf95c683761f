import type { Provider } from '@nestjs/common';
import {
  CachingApiKeyStore,
  claimPreset,
  discoveredJwksLoader,
  httpJsonFetcher,
  JwksCache,
  JwtVerifier,
  PrincipalResolver,
  type ClaimMapping,
  type TrustedIssuer,
} from '@modelgate/auth';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { ApiKeyRepository } from '../keys/api-key.repository';
import { SigningKeyService } from '../signing-keys/signing-key.service';

export function claimMappingFor(config: IdentityConfig): ClaimMapping {
  const preset = claimPreset(config.OIDC_CLAIMS_PRESET, config.OIDC_CLIENT_ID);
  return {
    id: config.OIDC_ID_CLAIMS ?? preset.id,
    roles: config.OIDC_ROLES_CLAIMS ?? preset.roles,
    groups: config.OIDC_GROUPS_CLAIMS ?? preset.groups,
  };
}

/**
 * Principal resolution inside identity: its own tokens verified against its own keys
 * (reloaded from Postgres on an unknown kid, so a rotation on another replica is seen),
 * OIDC tokens through each issuer's discovery and JWKS, API keys from Postgres behind
 * a short cache that revocations clear.
 */
export const principalResolverProviders: Provider[] = [
  {
    provide: CachingApiKeyStore,
    inject: [ApiKeyRepository, CONFIG],
    useFactory: (repo: ApiKeyRepository, config: IdentityConfig) =>
      new CachingApiKeyStore(repo, config.API_KEY_CACHE_TTL_MS),
  },
  {
    provide: PrincipalResolver,
    inject: [SigningKeyService, CachingApiKeyStore, CONFIG],
    useFactory: (signingKeys: SigningKeyService, apiKeys: CachingApiKeyStore, config: IdentityConfig) => {
      if (config.OIDC_ISSUERS.includes(config.ISSUER_URL)) {
        throw new Error("OIDC_ISSUERS must not contain identity's own ISSUER_URL");
      }
      const fetchJson = httpJsonFetcher();
      const cacheOptions = { cooldownMs: config.JWKS_COOLDOWN_MS, maxAgeMs: config.JWKS_MAX_AGE_MS };
      // Own keys come from Postgres: a rotation here reloads them at once, one on
      // another replica is seen on the first unknown kid after a 1 s cool-down.
      const ownKeys = new JwksCache(() => signingKeys.jwks(), { cooldownMs: 1_000, maxAgeMs: 60_000 });
      signingKeys.onRotate(() => ownKeys.invalidate());
      const issuers: TrustedIssuer[] = [
        {
          issuer: config.ISSUER_URL,
          audience: [config.TOKEN_AUDIENCE],
          keys: ownKeys,
          algorithms: ['ES256'],
          typ: 'at+jwt',
        },
        ...config.OIDC_ISSUERS.map((issuer) => ({
          issuer,
          audience: config.OIDC_AUDIENCE,
          keys: new JwksCache(discoveredJwksLoader(issuer, fetchJson), cacheOptions),
        })),
      ];
      const mapping = claimMappingFor(config);
      return new PrincipalResolver({
        verifier: new JwtVerifier(issuers, {
          clockToleranceSec: config.JWT_CLOCK_SKEW_SEC,
          maxLifetimeSec: config.JWT_MAX_LIFETIME_SEC,
        }),
        identityIssuer: config.ISSUER_URL,
        claimMappings: new Map(config.OIDC_ISSUERS.map((i) => [i, mapping])),
        groupRoles: config.GROUP_ROLE_MAP,
        apiKeys,
        verifiedTokenCacheMs: 30_000,
      });
    },
  },
];
