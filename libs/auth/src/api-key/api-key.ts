import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key secrets: `mg_<id>_<secret>`, where `id` is 16 hex characters (64 random bits,
 * public: it names the key in lists, logs and the `api_key` ACL principal) and `secret`
 * is the base64url form of 32 random bytes (256 bits).
 *
 * The key is found by its id, then the SHA-256 of the whole string is compared in
 * constant time with the stored hash. A fast hash is right here: slow hashes (bcrypt,
 * argon2) exist to make guessing low-entropy passwords expensive, but 256 random bits
 * cannot be guessed at any hash speed, and a slow hash would cost every API request
 * tens of milliseconds of CPU (a denial-of-service lever) for no gain. A leaked hash
 * table still yields no usable key, because SHA-256 pre-images are out of reach.
 */
export const API_KEY_PREFIX = 'mg_';
const API_KEY_FORMAT = /^mg_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKeySecret {
  readonly id: string;
  /** Shown to the caller once, never stored. */
  readonly secret: string;
  /** What is stored: hex SHA-256 of {@link secret}. */
  readonly hash: string;
}

export function generateApiKey(random: (n: number) => Buffer = randomBytes): NewApiKeySecret {
  const id = random(8).toString('hex');
  const secret = `${API_KEY_PREFIX}${id}_${random(32).toString('base64url')}`;
  return { id, secret, hash: hashApiKey(secret) };
}

/** The key id of a well-formed key string; undefined for anything else (no exceptions on hostile input). */
export function parseApiKey(value: string): { id: string } | undefined {
  if (value.length !== 63) return undefined;
  const m = API_KEY_FORMAT.exec(value);
  return m ? { id: m[1]! } : undefined;
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKey(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
