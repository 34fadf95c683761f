import type { PrincipalType } from '../principal/principal';

/** What a principal resolver needs to know of an API key (never its secret). */
export interface ApiKeyRecord {
  readonly id: string;
  /** Hex SHA-256 of the secret. */
  readonly hash: string;
  readonly ownerId: string;
  readonly ownerType: PrincipalType;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly models: readonly string[] | null;
  readonly operations: readonly string[] | null;
  /** Milliseconds since the epoch, or null for no expiry. */
  readonly expiresAt: number | null;
  readonly revoked: boolean;
  readonly ownerDisabled: boolean;
}

/** Finds a key by its public id. A port: Postgres in identity, an HTTP client or a cache elsewhere. */
export interface ApiKeyStore {
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  /** Called after a successful use (last-used time); must not throw or block the caller. */
  touch?(id: string): void;
}

interface Entry {
  readonly record: ApiKeyRecord | undefined;
  readonly until: number;
}

/**
 * Keeps key records for `ttlMs` in front of a slower store. The TTL bounds how long a
 * revoked key can keep working on a replica that missed the revocation event;
 * `invalidate` / `invalidateOwner` (fed by identity events) make it immediate.
 * Unknown ids are cached too (briefly), so a flood of made-up keys does not reach the database.
 */
export class CachingApiKeyStore implements ApiKeyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly inner: ApiKeyStore,
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const hit = this.entries.get(id);
    if (hit && hit.until > this.now()) return hit.record;
    const record = await this.inner.findById(id);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(id, { record, until: this.now() + this.ttlMs });
    return record;
  }

  touch(id: string): void {
    this.inner.touch?.(id);
  }

  invalidate(id: string): void {
    this.entries.delete(id);
  }

  invalidateOwner(ownerId: string): void {
    for (const [id, e] of this.entries) if (e.record?.ownerId === ownerId) this.entries.delete(id);
  }
}
