import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The ACL read model: one row per model pattern, as of its stream version. Rebuildable from the events. */
export class CreateAclReadModel1764700000000 implements MigrationInterface {
  name = 'CreateAclReadModel1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE acl_documents (
        pattern     TEXT        PRIMARY KEY,
        version     INTEGER     NOT NULL CHECK (version > 0),
        enforce     JSONB,
        shadow      JSONB,
        updated_at  TIMESTAMPTZ NOT NULL,
        updated_by  JSONB
      )`);
    // Listings skip deleted patterns (both slots empty), in pattern order.
    await q.query(
      `CREATE INDEX acl_documents_live ON acl_documents (pattern) WHERE enforce IS NOT NULL OR shadow IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE acl_documents`);
  }
}
