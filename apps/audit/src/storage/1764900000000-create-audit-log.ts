import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The database role the service writes and reads the trail as: INSERT and SELECT, never UPDATE or DELETE. */
export const AUDIT_WRITER_ROLE = 'modelgate_audit_writer';

/**
 * The audit trail: `audit_log`, partitioned by day of ingestion (retention drops whole
 * partitions), hash-chained by `seq`; `record_ids`, the idempotency key of ingest (a
 * unique key on a partitioned table must include the partition key, so the id is unique
 * here instead); signed `digests` of the chain head; `signing_keys`; `retention_log`.
 *
 * Append-only twice over: triggers refuse UPDATE, DELETE and TRUNCATE for every role, and
 * the service's sessions run as `modelgate_audit_writer`, granted INSERT and SELECT only.
 * A superuser can still disable triggers; the hash chain and the signed digests are what
 * detect that.
 */
export class CreateAuditLog1764900000000 implements MigrationInterface {
  name = 'CreateAuditLog1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: several databases (and concurrent migrations) share it.
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${AUDIT_WRITER_ROLE}') THEN
          CREATE ROLE ${AUDIT_WRITER_ROLE} NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await q.query(`
      CREATE TABLE audit_log (
        seq            BIGINT      NOT NULL CHECK (seq > 0),
        id             UUID        NOT NULL,
        source         TEXT        NOT NULL CHECK (source IN ('decision', 'policy', 'identity', 'audit')),
        occurred_at    TIMESTAMPTZ NOT NULL,
        ingested_at    TIMESTAMPTZ NOT NULL,
        principal_id   TEXT,
        principal_type TEXT,
        model          TEXT,
        operation      TEXT        NOT NULL,
        decision       TEXT        CHECK (decision IN ('allow', 'deny')),
        reason         TEXT,
        record         JSONB       NOT NULL,
        prev_hash      TEXT        NOT NULL,
        hash           TEXT        NOT NULL,
        PRIMARY KEY (ingested_at, seq)
      ) PARTITION BY RANGE (ingested_at)`);
    await q.query(`CREATE INDEX audit_log_seq ON audit_log (seq)`);
    await q.query(`CREATE INDEX audit_log_principal ON audit_log (principal_id, seq)`);
    await q.query(`CREATE INDEX audit_log_model ON audit_log (model, seq)`);
    await q.query(`CREATE INDEX audit_log_occurred ON audit_log (occurred_at)`);
    await q.query(`
      CREATE TABLE record_ids (
        id          UUID        PRIMARY KEY,
        ingested_at TIMESTAMPTZ NOT NULL
      )`);
    await q.query(`
      CREATE TABLE signing_keys (
        key_id      TEXT        PRIMARY KEY,
        public_key  TEXT        NOT NULL,
        private_key TEXT,
        created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE digests (
        id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        head_seq    BIGINT      NOT NULL,
        head_hash   TEXT        NOT NULL,
        signed_at   TIMESTAMPTZ NOT NULL,
        key_id      TEXT        NOT NULL REFERENCES signing_keys (key_id),
        signature   TEXT        NOT NULL
      )`);
    await q.query(`
      CREATE TABLE retention_log (
        id          BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        partition   TEXT        NOT NULL,
        dropped_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
        rows        BIGINT      NOT NULL,
        last_seq    BIGINT      NOT NULL,
        last_hash   TEXT        NOT NULL
      )`);
    await q.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit trail is append-only (% on % refused)', TG_OP, TG_TABLE_NAME;
      END $$`);
    for (const table of ['audit_log', 'record_ids', 'digests', 'retention_log']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    }
    const schema = await currentSchema(q);
    await q.query(`GRANT USAGE ON SCHEMA "${schema}" TO ${AUDIT_WRITER_ROLE}`);
    await q.query(`GRANT SELECT, INSERT ON audit_log, record_ids, digests TO ${AUDIT_WRITER_ROLE}`);
    await q.query(`GRANT SELECT ON signing_keys, retention_log TO ${AUDIT_WRITER_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    const schema = await currentSchema(q);
    await q.query(`REVOKE ALL ON SCHEMA "${schema}" FROM ${AUDIT_WRITER_ROLE}`);
    await q.query(`DROP TABLE retention_log, digests, signing_keys, record_ids, audit_log`);
    await q.query(`DROP FUNCTION audit_refuse_change()`);
  }
}

async function currentSchema(q: QueryRunner): Promise<string> {
  const rows = (await q.query(`SELECT current_schema() AS s`)) as { s: string }[];
  const schema = rows[0]?.s;
  if (!schema || !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`unexpected schema "${schema}"`);
  return schema;
}
