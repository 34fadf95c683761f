import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorizationUrl, base64url, callbackCode, codeChallenge, randomToken } from './pkce';

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('matches Node crypto for random verifiers', async () => {
    const verifier = randomToken(64);
    expect(await codeChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
  });

  it('makes verifiers of unreserved characters, all different', () => {
    const tokens = new Set(Array.from({ length: 200 }, () => randomToken(43)));
    expect(tokens.size).toBe(200);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
  });

  it('base64url has no padding or +/', () => {
    expect(base64url(new Uint8Array([251, 255, 254]))).toBe('-__-');
  });

  it('builds the authorization request with S256', () => {
    const url = new URL(
      authorizationUrl({
        authorizationEndpoint: 'http://127.0.0.1:3100/auth',
        clientId: 'modelgate-console',
        redirectUri: 'http://127.0.0.1:8080/console/callback',
        scope: 'openid',
        state: 's',
        nonce: 'n',
        challenge: 'c',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'modelgate-console',
      redirect_uri: 'http://127.0.0.1:8080/console/callback',
      scope: 'openid',
      state: 's',
      nonce: 'n',
      code_challenge: 'c',
      code_challenge_method: 'S256',
    });
  });
});

describe('callbackCode (hostile callbacks fail closed)', () => {
  const base = 'http://127.0.0.1:8080/console/callback';
  it('accepts the code when the state is the one this tab stored', () => {
    expect(callbackCode(`${base}?code=abc&state=xyz`, 'xyz')).toBe('abc');
  });
  it('refuses a different, missing or unexpected state (login CSRF)', () => {
    expect(() => callbackCode(`${base}?code=abc&state=attacker`, 'xyz')).toThrow(/state mismatch/);
    expect(() => callbackCode(`${base}?code=abc`, 'xyz')).toThrow(/state mismatch/);
    expect(() => callbackCode(`${base}?code=abc&state=xyz`, null)).toThrow(/state mismatch/);
    expect(() => callbackCode(`${base}?code=abc&state=`, '')).toThrow(/state mismatch/);
  });
  it("reports the provider's error and refuses a callback without a code", () => {
    expect(() => callbackCode(`${base}?error=access_denied&error_description=nope&state=xyz`, 'xyz')).toThrow(
      /refused.*nope/,
    );
    expect(() => callbackCode(`${base}?state=xyz`, 'xyz')).toThrow(/no authorization code/);
  });
});
