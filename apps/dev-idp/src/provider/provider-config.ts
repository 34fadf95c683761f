// oidc-provider configuration of the dev IdP: static clients, our own login interaction,
// JWT access tokens for the Modelgate resource, claims from the demo directory.
import type { Account, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { accessTokenClaims, SCOPE_CLAIMS, userClaims } from '../claims/claims';
import type { DevIdpConfig } from '../config/dev-idp.config';
import type { AccountDirectory } from '../directory/account-directory';
import type { KeyMaterial } from '../keys/key-store';
import { publicClientOriginAllowed, staticClients } from './clients';

/**
 * Resource indicator of the Modelgate API. RFC 8707 (and oidc-provider) require an absolute
 * URI here; the access tokens' `aud` is the plain audience (`modelgate`, OIDC_AUDIENCE).
 */
export const MODELGATE_RESOURCE = 'urn:modelgate';
/** Scope of the Modelgate resource server (optional; access tokens are issued without it too). */
export const MODELGATE_API_SCOPE = 'modelgate';

export interface ProviderDeps {
  readonly config: DevIdpConfig;
  readonly directory: AccountDirectory;
  readonly keys: KeyMaterial;
  /** Raised for an unknown resource indicator; oidc-provider's `errors.InvalidTarget`. */
  readonly invalidTarget: () => Error;
}

async function findAccount(directory: AccountDirectory, sub: string): Promise<Account | undefined> {
  const user = await directory.findByUid(sub);
  if (user === undefined) return undefined;
  const claims = userClaims(user);
  return { accountId: user.uid, claims: () => claims };
}

export function buildProviderConfiguration(deps: ProviderDeps): Configuration {
  const { config, directory, keys } = deps;
  const ttl = config.accessTokenTtlSeconds;
  return {
    clients: staticClients(config.testsClientSecret),
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => findAccount(directory, sub),
    claims: Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    scopes: ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')],
    // ID tokens carry the claims of their scopes (email, groups...), not only via userinfo.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { required: () => true },
    jwks: { keys: keys.signingKeys },
    cookies: { keys: keys.cookieKeys },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The console (a public client in the browser) redeems its code from its own origin.
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientAuthMethod === 'none' && publicClientOriginAllowed(origin, client.redirectUris ?? []),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => MODELGATE_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== MODELGATE_RESOURCE) throw deps.invalidTarget();
          return {
            scope: MODELGATE_API_SCOPE,
            audience: config.audience,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      if (token.kind !== 'AccessToken' || token.accountId === undefined) return undefined;
      const user = await directory.findByUid(token.accountId);
      return user === undefined ? undefined : accessTokenClaims(user);
    },
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      IdToken: ttl,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      RefreshToken: 8 * 3600,
    },
  };
}
