// The dev IdP's static clients. All are first-party (Modelgate's own), so consent is
// granted without asking (interaction/interaction.routes.ts).
import type { ClientMetadata } from 'oidc-provider';

export const CONSOLE_CLIENT_ID = 'modelgate-console';
export const TESTS_CLIENT_ID = 'modelgate-tests';

export function staticClients(testsClientSecret: string): ClientMetadata[] {
  return [
    {
      // The admin console, a browser SPA: public client, authorization code + PKCE (S256).
      // `native` only for its loopback rule (RFC 8252 §7.3): a loopback redirect URI matches
      // on any port, so the browser tests' gateways on free ports and the Vite servers sign
      // in too. Only 127.0.0.1/localhost URIs qualify; this is a development provider.
      client_id: CONSOLE_CLIENT_ID,
      client_name: 'Modelgate console',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [
        'http://127.0.0.1:8080/console/callback',
        'http://localhost:8080/console/callback',
        'http://127.0.0.1:5173/console/callback',
        'http://localhost:5173/console/callback',
        'http://127.0.0.1:4173/console/callback',
      ],
      post_logout_redirect_uris: [
        'http://127.0.0.1:8080/console/',
        'http://localhost:8080/console/',
        'http://127.0.0.1:5173/console/',
        'http://localhost:5173/console/',
        'http://127.0.0.1:4173/console/',
      ],
    },
    {
      // Test suites: confidential, authorization code + PKCE as a user, or client credentials.
      client_id: TESTS_CLIENT_ID,
      client_name: 'Modelgate tests',
      client_secret: testsClientSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      // 127.0.0.1 loopback redirect: nothing needs to listen there, the harness reads the code
      // from the Location header.
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:3199/callback'],
    },
  ];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether a browser page at `origin` may call the token endpoint for a public client (CORS).
 * oidc-provider's default allows only the exact origins of the redirect URIs; the console's
 * loopback URIs match on any port (see above), so their origins do too. Everything else, and
 * the opaque origin `null`, is refused.
 */
export function publicClientOriginAllowed(origin: string, redirectUris: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  return redirectUris.some((uri) => {
    const allowed = new URL(uri);
    if (allowed.origin === origin) return true;
    return (
      url.protocol === 'http:' &&
      allowed.protocol === 'http:' &&
      LOOPBACK_HOSTS.has(url.hostname) &&
      url.hostname === allowed.hostname
    );
  });
}
