// Tokens from the dev OpenID Connect provider (apps/dev-idp), obtained over HTTP exactly as
// a browser and a client would: authorization code + PKCE (S256) through the real login
// form, or client credentials. No server needs to listen at the redirect URI: the code is
// read from the Location header that points there.
import { createHash, randomBytes } from 'node:crypto';
import { infraEndpoints } from './infra';

/** The dev IdP's resource indicator (RFC 8707 wants an absolute URI) and token audience. */
export const DEV_IDP_RESOURCE = 'urn:modelgate';
export const DEV_IDP_AUDIENCE = 'modelgate';

export const DEV_IDP_CLIENTS = {
  console: { clientId: 'modelgate-console', redirectUri: 'http://127.0.0.1:8080/console/callback' },
  tests: {
    clientId: 'modelgate-tests',
    clientSecret: 'modelgate-tests-secret',
    redirectUri: 'http://127.0.0.1:3199/callback',
  },
} as const;

const KNOWN_REDIRECTS: Readonly<Record<string, string>> = {
  [DEV_IDP_CLIENTS.console.clientId]: DEV_IDP_CLIENTS.console.redirectUri,
  [DEV_IDP_CLIENTS.tests.clientId]: DEV_IDP_CLIENTS.tests.redirectUri,
};

export type OidcFlowStep = 'discovery' | 'authorize' | 'login' | 'callback' | 'token';

export class OidcFlowError extends Error {
  constructor(
    readonly step: OidcFlowStep,
    message: string,
    readonly status?: number,
    /** The OAuth error code (`invalid_grant`...) or the login page's message. */
    readonly code?: string,
    /** The HTML of the page that ended the flow, when it was a page. */
    readonly page?: string,
  ) {
    super(`OIDC ${step}: ${message}`);
    this.name = 'OidcFlowError';
  }
}

export interface OidcDiscovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly userinfo_endpoint?: string;
  readonly [key: string]: unknown;
}

export interface OidcTokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly scope: string | undefined;
  readonly refreshToken: string | undefined;
}

export interface AccessTokenResponse {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly scope: string | undefined;
}

export interface FetchOidcTokensOptions {
  /** Defaults to DEV_IDP_ISSUER (http://127.0.0.1:3100). */
  readonly issuer?: string;
  readonly clientId: string;
  /** For a confidential client (sent with HTTP Basic, client_secret_basic). */
  readonly clientSecret?: string;
  readonly username: string;
  readonly password: string;
  /** Resource indicator; the IdP defaults to its only one (urn:modelgate). */
  readonly resource?: string;
  /** Defaults to `openid email profile groups`. */
  readonly scope?: string;
  /** Defaults to the client's registered redirect URI for the known dev clients. */
  readonly redirectUri?: string;
  readonly timeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Discovery document of an issuer. */
export async function discoverOidc(issuer: string = infraEndpoints().oidcIssuer): Promise<OidcDiscovery> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).catch((error: unknown) => {
    throw new OidcFlowError('discovery', `${issuer} not reachable: ${String(error)}`);
  });
  if (!res.ok) throw new OidcFlowError('discovery', `HTTP ${res.status}`, res.status);
  const doc = (await res.json()) as OidcDiscovery;
  if (doc.issuer !== issuer)
    throw new OidcFlowError('discovery', `issuer is "${doc.issuer}", expected "${issuer}"`);
  return doc;
}

interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly host: string;
}

/** Just enough of a browser's cookie jar: host + path scoping, deletion by expiry. */
export class CookieJar {
  private cookies: StoredCookie[] = [];

  store(url: URL, setCookieHeaders: readonly string[]): void {
    for (const header of setCookieHeaders) {
      const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', attrValue = ''] = attribute.split('=', 2).map((p) => p.trim());
        const lower = key.toLowerCase();
        if (lower === 'path' && attrValue.startsWith('/')) path = attrValue;
        if (lower === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(attrValue) <= Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path && c.host === url.host));
      if (!expired) this.cookies.push({ name, value, path, host: url.host });
    }
  }

  header(url: URL): string | undefined {
    const matching = this.cookies.filter(
      (c) =>
        c.host === url.host &&
        (url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
          c.path === '/'),
    );
    // Longer paths first, as browsers send them.
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.length === 0 ? undefined : matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
  '#96': '`',
};

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_m, name: string) => ENTITIES[name] ?? _m);
}

interface HtmlForm {
  readonly action: string;
  readonly fields: Map<string, string>;
}

/** The first POST form of a page: its action and the values of its inputs. */
export function parseLoginForm(html: string): HtmlForm | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (form === null) return undefined;
  const attrs = form[1] ?? '';
  if (!/method\s*=\s*["']?post/i.test(attrs)) return undefined;
  const action = /action\s*=\s*"([^"]*)"/i.exec(attrs)?.[1] ?? '';
  const fields = new Map<string, string>();
  for (const input of (form[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const inputAttrs = input[1] ?? '';
    const name = /name\s*=\s*"([^"]*)"/i.exec(inputAttrs)?.[1];
    if (name !== undefined)
      fields.set(decodeEntities(name), decodeEntities(/value\s*=\s*"([^"]*)"/i.exec(inputAttrs)?.[1] ?? ''));
  }
  return { action: decodeEntities(action), fields };
}

function alertText(html: string): string | undefined {
  const match = /role="alert"[^>]*>([\s\S]*?)</i.exec(html);
  return match?.[1] === undefined ? undefined : decodeEntities(match[1].trim());
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function sameEndpoint(a: URL, b: URL): boolean {
  return a.origin === b.origin && a.pathname === b.pathname;
}

function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}

interface TokenEndpointBody {
  access_token?: string;
  id_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
  error?: string;
  error_description?: string;
}

async function postToken(
  endpoint: string,
  form: URLSearchParams,
  clientId: string,
  clientSecret: string | undefined,
  timeoutMs: number,
): Promise<TokenEndpointBody> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (clientSecret === undefined) form.set('client_id', clientId);
  else headers['authorization'] = basicAuth(clientId, clientSecret);
  const res = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: form,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json().catch(() => ({}))) as TokenEndpointBody;
  if (!res.ok || body.access_token === undefined) {
    throw new OidcFlowError(
      'token',
      `${body.error ?? `HTTP ${res.status}`}${body.error_description === undefined ? '' : `: ${body.error_description}`}`,
      res.status,
      body.error,
    );
  }
  return body;
}

/**
 * Logs in as a user through the dev IdP's authorization endpoint and login form, and
 * exchanges the code (with its PKCE verifier) for tokens. A wrong password rejects with
 * OidcFlowError (step `login`, code = the page's message).
 */
export async function fetchOidcTokens(options: FetchOidcTokensOptions): Promise<OidcTokens> {
  const issuer = options.issuer ?? infraEndpoints().oidcIssuer;
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const redirectUri = options.redirectUri ?? KNOWN_REDIRECTS[options.clientId];
  if (redirectUri === undefined)
    throw new Error(`no redirectUri given and none known for client ${options.clientId}`);
  const discovery = await discoverOidc(issuer);

  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: options.scope ?? 'openid email profile groups',
    state,
    nonce,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  }).toString();

  const jar = new CookieJar();
  const callback = new URL(redirectUri);
  let url = authorize;
  let request: { method: 'GET' | 'POST'; body?: URLSearchParams } = { method: 'GET' };
  let step: OidcFlowStep = 'authorize';
  let loginPosted = false;
  let code: string | undefined;

  for (let hop = 0; hop < 20 && code === undefined; hop += 1) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(url);
    if (cookie !== undefined) headers['cookie'] = cookie;
    if (request.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    jar.store(url, res.headers.getSetCookie());

    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel();
      const next = new URL(location, url);
      if (sameEndpoint(next, callback)) {
        const params = next.searchParams;
        const error = params.get('error');
        if (error !== null) {
          throw new OidcFlowError(
            'callback',
            `${error}: ${params.get('error_description') ?? ''}`,
            undefined,
            error,
          );
        }
        if (params.get('state') !== state) throw new OidcFlowError('callback', 'state does not match');
        const iss = params.get('iss');
        if (iss !== null && iss !== issuer)
          throw new OidcFlowError('callback', `iss is "${iss}", expected "${issuer}"`);
        code = params.get('code') ?? undefined;
        if (code === undefined) throw new OidcFlowError('callback', 'no code in the redirect');
        break;
      }
      url = next;
      request = { method: 'GET' };
      continue;
    }

    const html = await res.text();
    const form = parseLoginForm(html);
    if (loginPosted) {
      const message = alertText(html) ?? `HTTP ${res.status}`;
      throw new OidcFlowError('login', `login rejected: ${message}`, res.status, message, html);
    }
    if (form === undefined || !form.fields.has('username') || !form.fields.has('password')) {
      throw new OidcFlowError(
        step,
        `expected the login form, got HTTP ${res.status}: ${html.slice(0, 200)}`,
        res.status,
        undefined,
        html,
      );
    }
    form.fields.set('username', options.username);
    form.fields.set('password', options.password);
    url = new URL(form.action, url);
    request = { method: 'POST', body: new URLSearchParams([...form.fields]) };
    step = 'login';
    loginPosted = true;
  }
  if (code === undefined) throw new OidcFlowError(step, 'too many redirects');

  const body = await postToken(
    discovery.token_endpoint,
    new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      ...(options.resource === undefined ? {} : { resource: options.resource }),
    }),
    options.clientId,
    options.clientSecret,
    timeoutMs,
  );
  if (body.id_token === undefined)
    throw new OidcFlowError('token', 'no id_token in the response (scope without openid?)');
  return {
    idToken: body.id_token,
    accessToken: body.access_token ?? '',
    tokenType: body.token_type ?? 'Bearer',
    expiresIn: body.expires_in ?? 0,
    scope: body.scope,
    refreshToken: body.refresh_token,
  };
}

export interface ClientCredentialsOptions {
  readonly issuer?: string;
  /** Defaults to the `modelgate-tests` client and its dev secret. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly scope?: string;
  readonly resource?: string;
  readonly timeoutMs?: number;
}

/** An access token for a client itself (client_credentials grant). */
export async function fetchClientCredentialsToken(
  options: ClientCredentialsOptions = {},
): Promise<AccessTokenResponse> {
  const issuer = options.issuer ?? infraEndpoints().oidcIssuer;
  const clientId = options.clientId ?? DEV_IDP_CLIENTS.tests.clientId;
  const clientSecret =
    options.clientSecret ??
    (clientId === DEV_IDP_CLIENTS.tests.clientId ? DEV_IDP_CLIENTS.tests.clientSecret : undefined);
  const discovery = await discoverOidc(issuer);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (options.scope !== undefined) form.set('scope', options.scope);
  if (options.resource !== undefined) form.set('resource', options.resource);
  const body = await postToken(
    discovery.token_endpoint,
    form,
    clientId,
    clientSecret,
    options.timeoutMs ?? REQUEST_TIMEOUT_MS,
  );
  return {
    accessToken: body.access_token ?? '',
    tokenType: body.token_type ?? 'Bearer',
    expiresIn: body.expires_in ?? 0,
    scope: body.scope,
  };
}
