// Against the running dev IdP (scripts/infra/idp.sh) and slapd: tokens through the real
// authorization code + PKCE flow, verified with the provider's own JWKS.
import {
  DEMO_USERS,
  DEV_IDP_AUDIENCE,
  DEV_IDP_CLIENTS,
  DISABLED_USER,
  discoverOidc,
  fetchClientCredentialsToken,
  fetchOidcTokens,
  infraEndpoints,
  OidcFlowError,
} from '@modelgate/testing';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

const issuer = infraEndpoints().oidcIssuer;
const tests = DEV_IDP_CLIENTS.tests;

describe('dev OpenID Connect provider', () => {
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  beforeAll(async () => {
    const discovery = await discoverOidc(issuer);
    expect(discovery.issuer).toBe(issuer);
    expect(discovery['code_challenge_methods_supported']).toEqual(['S256']);
    jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  });

  it('issues alice a JWT access token for audience modelgate with her claims', async () => {
    const tokens = await fetchOidcTokens({
      clientId: tests.clientId,
      clientSecret: tests.clientSecret,
      username: 'alice',
      password: DEMO_USERS.alice.password,
    });
    expect(decodeProtectedHeader(tokens.accessToken).typ).toBe('at+jwt');
    const { payload } = await jwtVerify(tokens.accessToken, jwks, { issuer, audience: DEV_IDP_AUDIENCE });
    expect(payload.sub).toBe('alice');
    expect(payload['client_id']).toBe(tests.clientId);
    expect(payload['email']).toBe('alice@company.com');
    expect(payload['email_verified']).toBe(true);
    expect(payload['groups']).toEqual(['researchers']);
    expect(payload['realm_access']).toEqual({ roles: ['researcher'] });
    // Short-lived: 15 minutes.
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
    expect(tokens.expiresIn).toBeLessThanOrEqual(900);

    const id = await jwtVerify(tokens.idToken, jwks, { issuer, audience: tests.clientId });
    expect(id.payload.sub).toBe('alice');
    expect(id.payload['name']).toBe(DEMO_USERS.alice.name);
    expect(id.payload['email']).toBe('alice@company.com');
    expect(id.payload['groups']).toEqual(['researchers']);
  });

  it('issues admin (public console client, PKCE only) the acl-admin role', async () => {
    const tokens = await fetchOidcTokens({
      clientId: DEV_IDP_CLIENTS.console.clientId,
      username: 'admin',
      password: DEMO_USERS.admin.password,
    });
    const { payload } = await jwtVerify(tokens.accessToken, jwks, { issuer, audience: DEV_IDP_AUDIENCE });
    expect(payload.sub).toBe('admin');
    expect(payload['email']).toBe('admin@company.com');
    expect(payload['groups']).toEqual(['acl-admins']);
    expect(payload['realm_access']).toEqual({ roles: ['acl-admin'] });
  });

  it('maps the auditors group to two roles (carol)', async () => {
    const tokens = await fetchOidcTokens({
      clientId: tests.clientId,
      clientSecret: tests.clientSecret,
      username: 'carol',
      password: DEMO_USERS.carol.password,
    });
    const { payload } = await jwtVerify(tokens.accessToken, jwks, { issuer, audience: DEV_IDP_AUDIENCE });
    expect(payload['realm_access']).toEqual({ roles: [...DEMO_USERS.carol.roles].sort() });
  });

  it('gives no token for a wrong password', async () => {
    const attempt = fetchOidcTokens({
      clientId: tests.clientId,
      clientSecret: tests.clientSecret,
      username: 'alice',
      password: 'wrong-password',
    });
    await expect(attempt).rejects.toBeInstanceOf(OidcFlowError);
    await expect(attempt).rejects.toMatchObject({ step: 'login', status: 401 });
  });

  it('gives no token for an empty password', async () => {
    await expect(
      fetchOidcTokens({ clientId: DEV_IDP_CLIENTS.console.clientId, username: 'alice', password: '' }),
    ).rejects.toMatchObject({ step: 'login' });
  });

  it('gives no token to the disabled user', async () => {
    await expect(
      fetchOidcTokens({
        clientId: DEV_IDP_CLIENTS.console.clientId,
        username: DISABLED_USER.uid,
        password: DISABLED_USER.password,
      }),
    ).rejects.toMatchObject({ step: 'login', status: 401 });
  });

  it('escapes what it reflects into the login page', async () => {
    const hostile = '"><script>alert(1)</script>';
    const error: unknown = await fetchOidcTokens({
      clientId: DEV_IDP_CLIENTS.console.clientId,
      username: hostile,
      password: 'x',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ step: 'login', code: 'Invalid username or password.' });
    const page = (error as OidcFlowError).page ?? '';
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).not.toContain('<script>');
  });

  it('issues a client-credentials token for the tests client', async () => {
    const token = await fetchClientCredentialsToken();
    const { payload } = await jwtVerify(token.accessToken, jwks, { issuer, audience: DEV_IDP_AUDIENCE });
    expect(payload.sub).toBe(tests.clientId);
    expect(payload['client_id']).toBe(tests.clientId);
  });

  it('refuses client credentials with a wrong secret', async () => {
    await expect(fetchClientCredentialsToken({ clientSecret: 'not-the-secret' })).rejects.toMatchObject({
      step: 'token',
      code: 'invalid_client',
    });
  });

  it('requires PKCE: an authorization request without code_challenge is refused', async () => {
    const discovery = await discoverOidc(issuer);
    const authorize = new URL(discovery.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: tests.clientId,
      response_type: 'code',
      redirect_uri: tests.redirectUri,
      scope: 'openid',
      state: 'no-pkce',
    }).toString();
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(tests.redirectUri);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('never redirects to an unregistered redirect URI', async () => {
    const discovery = await discoverOidc(issuer);
    const authorize = new URL(discovery.authorization_endpoint);
    authorize.search = new URLSearchParams({
      client_id: tests.clientId,
      response_type: 'code',
      redirect_uri: 'http://evil.example/callback',
      scope: 'openid',
      code_challenge: 'x'.repeat(43),
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});
