// OIDC authorization code + PKCE against the configured issuer (public client, no secret).
// The access token the provider issues is a JWT for the Modelgate audience, which the
// gateway and the services accept as a bearer token (OIDC_ISSUERS).
import { authorizationUrl, callbackCode, codeChallenge, randomToken } from './pkce';

export interface OidcSettings {
  readonly issuer: string;
  readonly client_id: string;
  readonly scope: string;
}

interface Discovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
}

const PENDING_KEY = 'modelgate.console.oidc-pending';

interface Pending {
  readonly state: string;
  readonly verifier: string;
  readonly returnTo: string;
}

export function redirectUri(): string {
  return new URL(`${import.meta.env.BASE_URL}callback`, window.location.origin).toString();
}

async function discover(issuer: string): Promise<Discovery> {
  const base = issuer.replace(/\/$/, '');
  const response = await fetch(`${base}/.well-known/openid-configuration`);
  if (!response.ok)
    throw new Error(`identity provider ${issuer} answered HTTP ${response.status} to discovery`);
  const discovery = (await response.json()) as Discovery;
  // A provider that names another issuer is not the one configured: refuse (mix-up defence).
  if (discovery.issuer.replace(/\/$/, '') !== base)
    throw new Error(`identity provider says it is ${discovery.issuer}, expected ${issuer}`);
  return discovery;
}

/** Sends the browser to the provider's sign-in page. */
export async function startOidcSignIn(settings: OidcSettings, returnTo: string): Promise<void> {
  const discovery = await discover(settings.issuer);
  const pending: Pending = { state: randomToken(32), verifier: randomToken(64), returnTo };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  window.location.assign(
    authorizationUrl({
      authorizationEndpoint: discovery.authorization_endpoint,
      clientId: settings.client_id,
      redirectUri: redirectUri(),
      scope: settings.scope,
      state: pending.state,
      nonce: randomToken(32),
      challenge: await codeChallenge(pending.verifier),
    }),
  );
}

/** Completes the sign-in on the callback page: the access token, and where to go next. */
export async function finishOidcSignIn(
  settings: OidcSettings,
  callbackUrl: string,
): Promise<{ accessToken: string; returnTo: string }> {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  const pending = raw ? (JSON.parse(raw) as Pending) : null;
  const code = callbackCode(callbackUrl, pending?.state ?? null);
  const discovery = await discover(settings.issuer);
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: settings.client_id,
      code_verifier: pending!.verifier,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body['access_token'] !== 'string') {
    const reason =
      typeof body['error_description'] === 'string' ? body['error_description'] : `HTTP ${response.status}`;
    throw new Error(`the identity provider refused the sign-in code: ${reason}`);
  }
  return { accessToken: body['access_token'], returnTo: pending!.returnTo };
}

/**
 * Ends the session at the identity provider too (RP-initiated logout), so that "Sign in
 * with single sign-on" on a shared computer asks for a password again. The provider asks
 * the user to confirm, then sends the browser back to the console.
 */
export async function endOidcSession(settings: OidcSettings): Promise<void> {
  const discovery = await discover(settings.issuer);
  if (!discovery.end_session_endpoint) return;
  const url = new URL(discovery.end_session_endpoint);
  url.searchParams.set('client_id', settings.client_id);
  url.searchParams.set(
    'post_logout_redirect_uri',
    new URL(import.meta.env.BASE_URL, window.location.origin).toString(),
  );
  window.location.assign(url.toString());
}
