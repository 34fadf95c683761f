import { createHmac, generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, type AuthFailureReason } from '../principal/authentication.error';
import { JwksCache } from './jwks-cache';
import { JwtVerifier } from './jwt-verifier';

const ISS = 'https://idp.test';
const AUD = 'modelgate';
const NOW = new Date('2026-03-01T12:00:00Z');
const nowSec = Math.floor(NOW.getTime() / 1000);

interface Signer {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function signer(alg: string, kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

describe('JwtVerifier', () => {
  let es: Signer;
  let rs: Signer;
  let ed: Signer;
  let foreign: Signer;
  let verifier: JwtVerifier;

  const claims = (over: JWTPayload = {}): JWTPayload => ({
    iss: ISS,
    aud: AUD,
    sub: 'u1',
    email: 'Alice@Company.com',
    iat: nowSec - 10,
    exp: nowSec + 300,
    ...over,
  });

  const sign = (s: Signer, payload: JWTPayload = claims(), header: Record<string, unknown> = {}) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: s.alg, kid: s.kid, typ: 'JWT', ...header })
      .sign(s.privateKey);

  async function reason(token: string): Promise<AuthFailureReason> {
    try {
      await verifier.verify(token);
    } catch (e) {
      expect(e).toBeInstanceOf(AuthenticationError);
      return (e as AuthenticationError).reason;
    }
    throw new Error('token was accepted');
  }

  beforeAll(async () => {
    [es, rs, ed, foreign] = await Promise.all([
      signer('ES256', 'es'),
      signer('RS256', 'rs'),
      signer('EdDSA', 'ed'),
      signer('ES256', 'es'), // same kid, different key: a forgery with a plausible header
    ]);
    const keys = new JwksCache(() => Promise.resolve({ keys: [es.publicJwk, rs.publicJwk, ed.publicJwk] }), {
      now: () => NOW.getTime(),
    });
    verifier = new JwtVerifier([{ issuer: ISS, audience: [AUD], keys }], {
      now: () => NOW,
      clockToleranceSec: 30,
      maxLifetimeSec: 3600,
    });
  });

  it.each(['es', 'rs', 'ed'])('accepts a good token signed with %s', async (which) => {
    const s = { es, rs, ed }[which]!;
    const { payload, issuer } = await verifier.verify(await sign(s));
    expect(issuer).toBe(ISS);
    expect(payload.sub).toBe('u1');
  });

  it('accepts tokens within the clock-skew leeway', async () => {
    await expect(verifier.verify(await sign(es, claims({ exp: nowSec - 20 })))).resolves.toBeDefined();
    await expect(verifier.verify(await sign(es, claims({ nbf: nowSec + 20 })))).resolves.toBeDefined();
  });

  it('refuses alg none, with and without a signature segment', async () => {
    const body = b64(claims());
    expect(await reason(`${b64({ alg: 'none' })}.${body}.`)).toBe('malformed');
    expect(await reason(`${b64({ alg: 'none' })}.${body}.c2ln`)).toBe('alg_not_allowed');
    expect(await reason(`${b64({ alg: 'NONE', kid: 'es' })}.${body}.c2ln`)).toBe('alg_not_allowed');
  });

  it('refuses HS256 signed with the public key bytes (algorithm confusion)', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const input = `${b64({ alg: 'HS256', kid: 'rs', typ: 'JWT' })}.${b64(claims())}`;
    const mac = createHmac('sha256', pem).update(input).digest('base64url');
    expect(await reason(`${input}.${mac}`)).toBe('alg_not_allowed');
    const jwkBytes = JSON.stringify(rs.publicJwk);
    const mac2 = createHmac('sha256', jwkBytes).update(input).digest('base64url');
    expect(await reason(`${input}.${mac2}`)).toBe('alg_not_allowed');
  });

  it('refuses a header that claims one algorithm for a key of another type', async () => {
    // RS256 header pointing at the EC key id: the key type does not fit the algorithm.
    const s: Signer = { ...rs, kid: 'es' };
    expect(await reason(await sign(s))).toMatch(/unknown_key|bad_signature|malformed/);
  });

  it('refuses a token signed by a foreign key with a known kid', async () => {
    expect(await reason(await sign(foreign))).toBe('bad_signature');
  });

  it('refuses an unknown kid', async () => {
    expect(await reason(await sign({ ...es, kid: 'nope' }))).toBe('unknown_key');
  });

  it('refuses a wrong issuer, even one signed with a trusted key', async () => {
    expect(await reason(await sign(es, claims({ iss: 'https://evil.test' })))).toBe('unknown_issuer');
    expect(await reason(await sign(es, claims({ iss: `${ISS}/` })))).toBe('unknown_issuer');
    const { iss: _iss, ...noIss } = claims();
    expect(await reason(await sign(es, noIss))).toBe('malformed');
  });

  it('refuses a wrong or missing audience', async () => {
    expect(await reason(await sign(es, claims({ aud: 'other' })))).toBe('wrong_audience');
    expect(await reason(await sign(es, claims({ aud: ['other', 'another'] })))).toBe('wrong_audience');
    const { aud: _aud, ...noAud } = claims();
    expect(await reason(await sign(es, noAud))).toBe('wrong_audience');
  });

  it('refuses expired, not-yet-valid and future-issued tokens beyond the leeway', async () => {
    expect(await reason(await sign(es, claims({ exp: nowSec - 31 })))).toBe('expired');
    expect(await reason(await sign(es, claims({ nbf: nowSec + 31 })))).toBe('not_yet_valid');
    expect(await reason(await sign(es, claims({ iat: nowSec + 120, exp: nowSec + 300 })))).toBe(
      'issued_in_future',
    );
  });

  it('refuses a token without exp, and absurd lifetimes', async () => {
    const { exp: _exp, ...noExp } = claims();
    expect(await reason(await sign(es, noExp))).toBe('bad_claims');
    expect(await reason(await sign(es, claims({ exp: nowSec + 3600 * 24 * 365 * 100 })))).toBe(
      'lifetime_too_long',
    );
    const { iat: _iat, ...noIat } = claims({ exp: nowSec + 7200 });
    expect(await reason(await sign(es, noIat))).toBe('lifetime_too_long');
    expect(await reason(await sign(es, claims({ exp: 'tomorrow' as unknown as number })))).toBe('bad_claims');
  });

  it('refuses a tampered payload and a tampered header', async () => {
    const [h, , sig] = (await sign(es)).split('.');
    expect(await reason(`${h}.${b64(claims({ email: 'admin@company.com' }))}.${sig}`)).toBe('bad_signature');
    const [, p2, s2] = (await sign(rs)).split('.');
    expect(await reason(`${b64({ alg: 'RS512', kid: 'rs' })}.${p2}.${s2}`)).toMatch(
      /bad_signature|unknown_key/,
    );
  });

  it('refuses oversized tokens before parsing them', async () => {
    const big = await sign(es, claims({ pad: 'x'.repeat(100 * 1024) }));
    expect(await reason(big)).toBe('too_large');
  });

  it.each([
    ['empty', ''],
    ['one segment', 'abc'],
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['duplicate dots', 'a..b'],
    ['leading dot', '.a.b'],
    ['non-base64 characters', 'a+b.c/d.e='],
    ['whitespace', 'a.b .c'],
    ['non-JSON header', `${b64('not json')}.${b64({})}.c2ln`],
    ['non-JSON payload', `${b64({ alg: 'ES256' })}.${b64('not json')}.c2ln`],
    ['array payload', `${b64({ alg: 'ES256' })}.${b64([1, 2])}.c2ln`],
    ['JWE-shaped', 'a.b.c.d.e'],
  ])('refuses malformed input: %s', async (_name, token) => {
    expect(await reason(token)).toMatch(/malformed|too_large/);
  });

  it('refuses a required typ it does not get', async () => {
    const keys = new JwksCache(() => Promise.resolve({ keys: [es.publicJwk] }));
    const strict = new JwtVerifier([{ issuer: ISS, audience: [AUD], keys, typ: 'at+jwt' }], {
      now: () => NOW,
    });
    await expect(strict.verify(await sign(es))).rejects.toMatchObject({ reason: 'malformed' });
    await expect(strict.verify(await sign(es, claims(), { typ: 'at+JWT' }))).resolves.toBeDefined();
  });

  it('keeps an issuer to the algorithms it is configured with', async () => {
    const keys = new JwksCache(() => Promise.resolve({ keys: [es.publicJwk, rs.publicJwk] }));
    const esOnly = new JwtVerifier([{ issuer: ISS, audience: [AUD], keys, algorithms: ['ES256', 'HS256'] }], {
      now: () => NOW,
    });
    await expect(esOnly.verify(await sign(es))).resolves.toBeDefined();
    await expect(esOnly.verify(await sign(rs))).rejects.toMatchObject({ reason: 'alg_not_allowed' });
  });
});
