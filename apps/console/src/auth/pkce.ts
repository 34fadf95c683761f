// PKCE (RFC 7636, S256) and the authorization request of the OIDC code flow. Pure: the
// random source and the digest are Web Crypto, present in browsers and in Node alike.

const UNRESERVED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';

/** A random string of unreserved characters (verifier, state, nonce); 64 chars ≈ 381 bits. */
export function randomToken(length = 64): string {
  // Bytes ≥ 198 (3 × 66) are dropped so that each of the 66 characters is equally likely.
  const out: string[] = [];
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const b of bytes) {
      if (b < 198 && out.length < length) out.push(UNRESERVED[b % 66]!);
    }
  }
  return out.join('');
}

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export interface AuthorizationRequest {
  readonly authorizationEndpoint: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly state: string;
  readonly nonce: string;
  readonly challenge: string;
}

export function authorizationUrl(r: AuthorizationRequest): string {
  const url = new URL(r.authorizationEndpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', r.clientId);
  url.searchParams.set('redirect_uri', r.redirectUri);
  url.searchParams.set('scope', r.scope);
  url.searchParams.set('state', r.state);
  url.searchParams.set('nonce', r.nonce);
  url.searchParams.set('code_challenge', r.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

/**
 * The code of a callback URL, after checking its state against the one this tab stored.
 * Fails closed: a missing or different state, or an error from the provider, is refused.
 */
export function callbackCode(callbackUrl: string, expectedState: string | null): string {
  const params = new URL(callbackUrl).searchParams;
  const error = params.get('error');
  if (error)
    throw new Error(`sign-in refused by the identity provider: ${params.get('error_description') ?? error}`);
  const state = params.get('state');
  if (!expectedState || state !== expectedState)
    throw new Error('sign-in answer does not belong to this browser tab (state mismatch); sign in again');
  const code = params.get('code');
  if (!code) throw new Error('sign-in answer has no authorization code');
  return code;
}
