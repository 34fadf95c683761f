// Signing keys and cookie keys of the dev IdP: generated at first start and persisted in
// the data dir (mode 0600), so that restarts keep the JWKS and tokens stay verifiable.
import { createHash, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SigningJwk extends JsonWebKey {
  kty: 'RSA';
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export interface KeyMaterial {
  /** Private JWKs (oidc-provider publishes their public parts at /jwks). */
  readonly signingKeys: SigningJwk[];
  /** Secrets for oidc-provider's signed cookies. */
  readonly cookieKeys: string[];
}

interface KeyFile {
  readonly version: 1;
  readonly signingKeys: SigningJwk[];
  readonly cookieKeys: string[];
}

const FILE_NAME = 'keys.json';

/** RFC 7638 thumbprint of an RSA public key: the key id. */
export function rsaThumbprint(jwk: { e?: string; n?: string }): string {
  if (jwk.e === undefined || jwk.n === undefined) throw new Error('RSA JWK without e or n');
  return createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n }))
    .digest('base64url');
}

export function generateKeyMaterial(): KeyMaterial {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    signingKeys: [{ ...jwk, kty: 'RSA', kid: rsaThumbprint(jwk), alg: 'RS256', use: 'sig' }],
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
}

function isKeyFile(value: unknown): value is KeyFile {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Partial<KeyFile>;
  return (
    file.version === 1 &&
    Array.isArray(file.signingKeys) &&
    file.signingKeys.length > 0 &&
    file.signingKeys.every((k) => k.kty === 'RSA' && typeof k.kid === 'string' && typeof k.d === 'string') &&
    Array.isArray(file.cookieKeys) &&
    file.cookieKeys.length > 0
  );
}

/** Loads the keys from `dir`, creating them on first use. A damaged file is an error, not silently replaced. */
export function loadOrCreateKeys(dir: string): { keys: KeyMaterial; created: boolean } {
  const path = join(dir, FILE_NAME);
  if (existsSync(path)) {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isKeyFile(parsed))
      throw new Error(`${path} is not a dev-idp key file; delete it to generate new keys`);
    return { keys: { signingKeys: parsed.signingKeys, cookieKeys: parsed.cookieKeys }, created: false };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = generateKeyMaterial();
  const file: KeyFile = { version: 1, ...keys };
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return { keys, created: true };
}
