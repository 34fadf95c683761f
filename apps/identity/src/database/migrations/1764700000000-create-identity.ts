import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Signing keys, API keys, service accounts, and the per-principal event sequence. */
export class CreateIdentity1764700000000 implements MigrationInterface {
  name = 'CreateIdentity1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_keys (
        kid          TEXT        PRIMARY KEY,
        alg          TEXT        NOT NULL,
        private_jwk  JSONB       NOT NULL,
        public_jwk   JSONB       NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        retired_at   TIMESTAMPTZ,
        -- After this, no token it signed can still be valid: it leaves the JWKS.
        publish_until TIMESTAMPTZ
      )`);
    await q.query(
      `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE service_accounts (
        id           TEXT        PRIMARY KEY,
        name         TEXT        NOT NULL,
        roles        JSONB       NOT NULL DEFAULT '[]'::jsonb,
        secret_hash  TEXT        NOT NULL,
        created_by   TEXT        NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        disabled_at  TIMESTAMPTZ
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id           TEXT        PRIMARY KEY,
        hash         TEXT        NOT NULL,
        name         TEXT        NOT NULL,
        owner_id     TEXT        NOT NULL,
        owner_type   TEXT        NOT NULL CHECK (owner_type IN ('user', 'service_account')),
        roles        JSONB       NOT NULL DEFAULT '[]'::jsonb,
        groups       JSONB       NOT NULL DEFAULT '[]'::jsonb,
        models       JSONB,
        operations   JSONB,
        created_by   TEXT        NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
        expires_at   TIMESTAMPTZ,
        revoked_at   TIMESTAMPTZ,
        last_used_at TIMESTAMPTZ
      )`);
    await q.query(`CREATE INDEX api_keys_owner ON api_keys (owner_id, created_at)`);
    await q.query(`
      CREATE TABLE principal_streams (
        principal_id TEXT    PRIMARY KEY,
        sequence     INTEGER NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE principal_streams`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE service_accounts`);
    await q.query(`DROP TABLE signing_keys`);
  }
}
