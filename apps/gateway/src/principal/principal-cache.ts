import { createHash } from 'node:crypto';
import { AuthenticationError, bearerCredential, type Principal } from '@modelgate/auth';

/** The longest credential read: a JWT with many groups is a few KB; beyond this it is an attack. */
const MAX_CREDENTIAL_LENGTH = 16 * 1024;

export interface WhoAmI {
  whoami(authorization: string): Promise<Principal>;
}

interface Entry {
  readonly principal: Principal;
  readonly until: number;
}

/**
 * Credential → principal, remembered for `ttlMs` (never past the credential's own expiry)
 * under the SHA-256 of the credential, so no secret is kept in memory as a map key.
 * Identity events drop entries at once: a revoked key or a disabled principal stops working
 * on this replica within the event's delivery time, not after the TTL. Concurrent first
 * uses of one credential share one lookup.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Principal>>();
  /** Bumped by every invalidation: a lookup that started before one is answered but not kept. */
  private generation = 0;

  constructor(
    private readonly identity: WhoAmI,
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Rejects with AuthenticationError (401) or IdentityUnavailableError (503). */
  async resolve(authorization: string | string[] | undefined): Promise<Principal> {
    if (typeof authorization === 'string' && authorization.length > MAX_CREDENTIAL_LENGTH + 7) {
      throw new AuthenticationError('too_large');
    }
    const credential = bearerCredential(authorization);
    if (credential === undefined) {
      throw new AuthenticationError(authorization === undefined ? 'missing' : 'malformed');
    }
    const key = createHash('sha256').update(credential).digest('base64url');
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      if (hit.until > this.now()) return hit.principal;
      this.entries.delete(key);
    }
    const inFlight = this.pending.get(key);
    if (inFlight !== undefined) return inFlight;
    const generation = this.generation;
    const lookup = this.identity.whoami(`Bearer ${credential}`).then(
      (principal) => {
        this.pending.delete(key);
        if (generation === this.generation) this.remember(key, principal);
        return principal;
      },
      (error: unknown) => {
        this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, lookup);
    return lookup;
  }

  /** An API key was revoked. */
  dropKey(keyId: string): void {
    this.generation++;
    for (const [key, e] of this.entries) if (e.principal.credential.keyId === keyId) this.entries.delete(key);
  }

  /** A principal was disabled (with every key it owns). */
  dropPrincipal(principalId: string): void {
    this.generation++;
    for (const [key, e] of this.entries) if (e.principal.id === principalId) this.entries.delete(key);
  }

  /** Role mappings changed: every remembered role list may be wrong. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, principal: Principal): void {
    const now = this.now();
    const expiresAt = principal.credential.expiresAt;
    const until = Math.min(now + this.ttlMs, expiresAt === undefined ? Infinity : expiresAt * 1000);
    if (until <= now) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { principal, until });
  }
}
