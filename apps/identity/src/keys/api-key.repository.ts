import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returnedRows } from '../database/returning';
import type { ApiKeyRecord, ApiKeyStore, PrincipalType } from '@modelgate/auth';

export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly ownerType: PrincipalType;
  readonly models: string[] | null;
  readonly operations: string[] | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface NewApiKeyRow {
  readonly id: string;
  readonly hash: string;
  readonly name: string;
  readonly ownerId: string;
  readonly ownerType: PrincipalType;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
  readonly models: readonly string[] | null;
  readonly operations: readonly string[] | null;
  readonly createdBy: string;
  readonly expiresAt: Date | null;
}

interface Row {
  id: string;
  hash: string;
  name: string;
  owner_id: string;
  owner_type: PrincipalType;
  roles: string[];
  groups: string[];
  models: string[] | null;
  operations: string[] | null;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  owner_disabled?: boolean;
  sa_roles?: string[] | null;
}

const view = (r: Row): ApiKeyView => ({
  id: r.id,
  name: r.name,
  ownerId: r.owner_id,
  ownerType: r.owner_type,
  models: r.models,
  operations: r.operations,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

/** Last-used times are written at most this often per key: one UPDATE per request would not scale. */
const TOUCH_INTERVAL_MS = 60_000;

/** API keys in Postgres; also the {@link ApiKeyStore} principal resolution reads. */
@Injectable()
export class ApiKeyRepository implements ApiKeyStore {
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly db: DataSource) {}

  async insert(tx: EntityManager, key: NewApiKeyRow): Promise<ApiKeyView> {
    const rows: Row[] = await tx.query(
      `INSERT INTO api_keys (id, hash, name, owner_id, owner_type, roles, groups, models, operations, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        key.id,
        key.hash,
        key.name,
        key.ownerId,
        key.ownerType,
        JSON.stringify(key.roles),
        JSON.stringify(key.groups),
        key.models ? JSON.stringify(key.models) : null,
        key.operations ? JSON.stringify(key.operations) : null,
        key.createdBy,
        key.expiresAt,
      ],
    );
    return view(rows[0]!);
  }

  /**
   * One page of an owner's keys, oldest first: up to `limit` keys created after the key
   * `afterId` (keyset on created_at, id). Undefined when `afterId` is not one of the owner's
   * keys (keys are never deleted, so only a forged cursor names such an id).
   */
  async listByOwner(ownerId: string, limit: number, afterId?: string): Promise<ApiKeyView[] | undefined> {
    if (afterId === undefined) {
      const rows: Row[] = await this.db.query(
        `SELECT * FROM api_keys WHERE owner_id = $1 ORDER BY created_at, id LIMIT $2`,
        [ownerId, limit],
      );
      return rows.map(view);
    }
    const anchor: { found: boolean }[] = await this.db.query(
      `SELECT true AS found FROM api_keys WHERE id = $1 AND owner_id = $2`,
      [afterId, ownerId],
    );
    if (anchor.length === 0) return undefined;
    const rows: Row[] = await this.db.query(
      `SELECT k.* FROM api_keys k, (SELECT created_at, id FROM api_keys WHERE id = $2) a
        WHERE k.owner_id = $1 AND (k.created_at, k.id) > (a.created_at, a.id)
        ORDER BY k.created_at, k.id LIMIT $3`,
      [ownerId, afterId, limit],
    );
    return rows.map(view);
  }

  /** Users owning keys that still work (not revoked, not expired) and not yet disabled: what the LDAP check looks at. */
  async activeUserOwners(): Promise<string[]> {
    const rows: { owner_id: string }[] = await this.db.query(
      `SELECT DISTINCT k.owner_id FROM api_keys k
        WHERE k.owner_type = 'user' AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
          AND NOT EXISTS (SELECT 1 FROM disabled_principals d
                           WHERE d.principal_type = 'user' AND d.principal_id = k.owner_id)
        ORDER BY k.owner_id`,
    );
    return rows.map((r) => r.owner_id);
  }

  async get(id: string): Promise<ApiKeyView | undefined> {
    const rows: Row[] = await this.db.query(`SELECT * FROM api_keys WHERE id = $1`, [id]);
    return rows[0] ? view(rows[0]) : undefined;
  }

  /** Marks the key revoked; undefined when it does not exist or already was. */
  async revoke(tx: EntityManager, id: string): Promise<ApiKeyView | undefined> {
    const rows = returnedRows<Row>(
      await tx.query(
        `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING *`,
        [id],
      ),
    );
    return rows[0] ? view(rows[0]) : undefined;
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const rows: Row[] = await this.db.query(
      `SELECT k.*, s.roles AS sa_roles,
              (s.disabled_at IS NOT NULL OR EXISTS (
                 SELECT 1 FROM disabled_principals d
                  WHERE d.principal_type = k.owner_type AND d.principal_id = k.owner_id)) AS owner_disabled
         FROM api_keys k
         LEFT JOIN service_accounts s ON k.owner_type = 'service_account' AND s.id = k.owner_id
        WHERE k.id = $1`,
      [id],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      hash: r.hash,
      ownerId: r.owner_id,
      ownerType: r.owner_type,
      // A service account's keys carry its current roles; a user's, those at creation time.
      roles: r.owner_type === 'service_account' ? (r.sa_roles ?? []) : r.roles,
      groups: r.groups,
      models: r.models,
      operations: r.operations,
      expiresAt: r.expires_at ? r.expires_at.getTime() : null,
      revoked: r.revoked_at !== null,
      ownerDisabled: r.owner_disabled === true,
    };
  }

  touch(id: string): void {
    const now = Date.now();
    if ((this.touchedAt.get(id) ?? 0) > now - TOUCH_INTERVAL_MS) return;
    this.touchedAt.set(id, now);
    if (this.touchedAt.size > 100_000) this.touchedAt.clear();
    this.db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [id]).catch(() => {
      this.touchedAt.delete(id);
    });
  }
}
