import type { JSONWebKeySet } from 'jose';
import type { JsonFetcher } from './json-fetcher';

/**
 * Loads an issuer's JWKS through OIDC discovery: `<issuer>/.well-known/openid-configuration`
 * must name exactly this issuer (a mix-up defence), and its `jwks_uri` must use https —
 * or http when the issuer itself is http (the dev provider on 127.0.0.1).
 * The discovery document is fetched again only when it failed before.
 */
export function discoveredJwksLoader(issuer: string, fetchJson: JsonFetcher): () => Promise<JSONWebKeySet> {
  let jwksUri: string | undefined;
  return async () => {
    if (!jwksUri) {
      const doc = await fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
      if (typeof doc !== 'object' || doc === null) throw new Error(`${issuer}: discovery is not an object`);
      const { issuer: named, jwks_uri: uri } = doc as { issuer?: unknown; jwks_uri?: unknown };
      if (named !== issuer) throw new Error(`${issuer}: discovery names issuer ${String(named)}`);
      if (typeof uri !== 'string') throw new Error(`${issuer}: discovery has no jwks_uri`);
      const protocol = new URL(uri).protocol;
      if (protocol !== 'https:' && !(protocol === 'http:' && new URL(issuer).protocol === 'http:')) {
        throw new Error(`${issuer}: jwks_uri must use https`);
      }
      jwksUri = uri;
    }
    return (await fetchJson(jwksUri)) as JSONWebKeySet;
  };
}
