import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { AuthenticationError } from '../principal/authentication.error';

export type KeySetLoader = () => Promise<JSONWebKeySet>;

export interface JwksCacheOptions {
  /** Keys older than this are refetched before use (a failed refresh keeps the old keys). */
  readonly maxAgeMs?: number;
  /** At most one fetch per window, whatever tokens arrive: an unknown `kid` cannot make us hammer the issuer. */
  readonly cooldownMs?: number;
  readonly now?: () => number;
}

/** Resolves the verification key of a token's protected header. */
export interface KeyResolver {
  getKey(header: JWSHeaderParameters): Promise<CryptoKey>;
}

/**
 * An issuer's JWKS, cached. Loaded on first use; refreshed when older than `maxAgeMs`,
 * and when a token names a key we do not have (key rotation) — but never more than
 * once per `cooldownMs`. Concurrent callers share one fetch.
 */
export class JwksCache implements KeyResolver {
  private keys?: ReturnType<typeof createLocalJWKSet>;
  private fetchedAt = -Infinity;
  private attemptedAt = -Infinity;
  private pending?: Promise<void>;
  private readonly maxAgeMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private fetchCount = 0;

  constructor(
    private readonly load: KeySetLoader,
    options: JwksCacheOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** How many times the key set was fetched (for tests and metrics). */
  get fetches(): number {
    return this.fetchCount;
  }

  async getKey(header: JWSHeaderParameters): Promise<CryptoKey> {
    if (!this.keys || this.now() - this.fetchedAt > this.maxAgeMs) await this.refresh();
    if (!this.keys) throw new AuthenticationError('keys_unavailable');
    try {
      return await this.keys(header);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw mapKeyError(error);
      await this.refresh();
      try {
        return await this.keys(header);
      } catch (again) {
        throw mapKeyError(again);
      }
    }
  }

  /**
   * Forgets the key set and the cool-down, so the next token loads keys afresh. For a
   * key source that knows it changed (identity after rotating its own key); remote
   * issuers are never invalidated on a token's say-so.
   */
  invalidate(): void {
    this.fetchedAt = -Infinity;
    this.attemptedAt = -Infinity;
  }

  /** Fetches unless a fetch started less than `cooldownMs` ago. */
  private async refresh(): Promise<void> {
    if (this.pending) return this.pending;
    if (this.now() - this.attemptedAt < this.cooldownMs) return;
    this.attemptedAt = this.now();
    this.fetchCount += 1;
    this.pending = this.load()
      .then((jwks) => {
        if (!isKeySet(jwks)) throw new Error('not a JWKS');
        this.keys = createLocalJWKSet(jwks);
        this.fetchedAt = this.now();
      })
      .catch(() => {
        // Keep serving the previous keys; the next attempt waits for the cool-down.
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

function isKeySet(value: unknown): value is JSONWebKeySet {
  return typeof value === 'object' && value !== null && Array.isArray((value as { keys?: unknown }).keys);
}

function mapKeyError(error: unknown): AuthenticationError {
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('unknown_key');
  if (error instanceof errors.JWKSMultipleMatchingKeys)
    return new AuthenticationError('unknown_key', 'ambiguous kid');
  if (error instanceof AuthenticationError) return error;
  return new AuthenticationError(
    'malformed',
    error instanceof Error ? error.message : 'key selection failed',
  );
}
