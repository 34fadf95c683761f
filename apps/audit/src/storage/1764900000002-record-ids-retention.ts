import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention for `record_ids`, the dedupe keys of ingest: once retention has dropped a day
 * partition of the trail, the ids of its rows serve no purpose but would grow without end.
 *
 * The table stays append-only for every other change. UPDATE and TRUNCATE are still refused
 * row by row; DELETE is checked per statement against what it removed (a transition table):
 * every id deleted must have been ingested before the oldest row still in the trail, i.e.
 * belong to a row retention already dropped. A statement deleting anything else, or any
 * DELETE while the trail is empty (nothing to compare with), is refused as a whole. The
 * writer role still has no DELETE privilege at all; retention runs as the schema owner.
 *
 * A BRIN index on `ingested_at` finds the old ids without a scan of the whole table and
 * costs ingest next to nothing (ids are inserted in ingestion order, so block ranges stay
 * narrow; a btree would add a second index entry per row).
 */
export class RecordIdsRetention1764900000002 implements MigrationInterface {
  name = 'RecordIdsRetention1764900000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX record_ids_ingested ON record_ids USING brin (ingested_at)`);
    await q.query(`DROP TRIGGER record_ids_append_only ON record_ids`);
    await q.query(`
      CREATE TRIGGER record_ids_no_update BEFORE UPDATE ON record_ids
      FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
    // The trail is looked up in the trigger's own schema, whatever the caller's search_path.
    await q.query(`
      CREATE FUNCTION audit_record_ids_retention_only() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        oldest timestamptz;
        newest_deleted timestamptz;
      BEGIN
        SELECT max(ingested_at) INTO newest_deleted FROM forgotten;
        IF newest_deleted IS NULL THEN
          RETURN NULL;
        END IF;
        EXECUTE format('SELECT min(ingested_at) FROM %I.audit_log', TG_TABLE_SCHEMA) INTO oldest;
        IF oldest IS NULL OR newest_deleted >= oldest THEN
          RAISE EXCEPTION 'the audit trail is append-only: record_ids may only lose the ids of rows retention dropped (ingested before %, the oldest row kept; this DELETE removed one ingested at %)',
            coalesce(oldest::text, 'none: the trail is empty'), newest_deleted;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER record_ids_retention_only AFTER DELETE ON record_ids
      REFERENCING OLD TABLE AS forgotten
      FOR EACH STATEMENT EXECUTE FUNCTION audit_record_ids_retention_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER record_ids_retention_only ON record_ids`);
    await q.query(`DROP FUNCTION audit_record_ids_retention_only()`);
    await q.query(`DROP TRIGGER record_ids_no_update ON record_ids`);
    await q.query(`
      CREATE TRIGGER record_ids_append_only BEFORE UPDATE OR DELETE ON record_ids
      FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`DROP INDEX record_ids_ingested`);
  }
}
