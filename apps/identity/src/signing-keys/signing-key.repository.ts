import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { DataSource } from 'typeorm';

export interface SigningKeyRow {
  readonly kid: string;
  readonly alg: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  readonly createdAt: Date;
  readonly retiredAt: Date | null;
}

interface Row {
  kid: string;
  alg: string;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

const toKey = (r: Row): SigningKeyRow => ({
  kid: r.kid,
  alg: r.alg,
  privateJwk: r.private_jwk,
  publicJwk: r.public_jwk,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
});

/** Signing keys in Postgres. Exactly one is active (not retired); retired keys stay published until `publish_until`. */
@Injectable()
export class SigningKeyRepository {
  constructor(private readonly db: DataSource) {}

  async active(): Promise<SigningKeyRow | undefined> {
    const rows: Row[] = await this.db.query(`SELECT * FROM signing_keys WHERE retired_at IS NULL`);
    return rows[0] ? toKey(rows[0]) : undefined;
  }

  /** Keys whose tokens may still be valid: the active one and those retired recently enough. */
  async published(): Promise<SigningKeyRow[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM signing_keys WHERE retired_at IS NULL OR publish_until > now() ORDER BY created_at DESC`,
    );
    return rows.map(toKey);
  }

  /**
   * Makes `key` the active key, retiring the current one (published for `keepPublishedSec`
   * more). Serialised by an advisory lock so that replicas starting together create one key.
   * With `onlyIfNone`, does nothing when a key is already active.
   */
  async activate(
    key: Omit<SigningKeyRow, 'createdAt' | 'retiredAt'>,
    keepPublishedSec: number,
    onlyIfNone: boolean,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))`);
      const current: { kid: string }[] = await tx.query(
        `SELECT kid FROM signing_keys WHERE retired_at IS NULL`,
      );
      if (onlyIfNone && current.length > 0) return false;
      await tx.query(
        `UPDATE signing_keys SET retired_at = now(), publish_until = now() + make_interval(secs => $1)
          WHERE retired_at IS NULL`,
        [keepPublishedSec],
      );
      await tx.query(`INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)`, [
        key.kid,
        key.alg,
        JSON.stringify(key.privateJwk),
        JSON.stringify(key.publicJwk),
      ]);
      return true;
    });
  }
}
