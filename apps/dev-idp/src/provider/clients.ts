// The dev IdP's static clients. All are first-party (Modelgate's own), so consent is
// granted without asking (interaction/interaction.routes.ts).
import type { ClientMetadata } from 'oidc-provider';

export const CONSOLE_CLIENT_ID = 'modelgate-console';
export const TESTS_CLIENT_ID = 'modelgate-tests';

export function staticClients(testsClientSecret: string): ClientMetadata[] {
  return [
    {
      // The admin console, a browser SPA: public client, authorization code + PKCE (S256).
      client_id: CONSOLE_CLIENT_ID,
      client_name: 'Modelgate console',
      token_endpoint_auth_method: 'none',
      application_type: 'web',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [
        'http://127.0.0.1:8080/console/callback',
        'http://localhost:8080/console/callback',
        'http://127.0.0.1:5173/console/callback',
      ],
      post_logout_redirect_uris: [
        'http://127.0.0.1:8080/console/',
        'http://localhost:8080/console/',
        'http://127.0.0.1:5173/console/',
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
