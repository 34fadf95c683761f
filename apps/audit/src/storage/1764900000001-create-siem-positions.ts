import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Where each SIEM forwarder got to. Not part of the trail: the owner role updates it, the writer role has no access. */
export class CreateSiemPositions1764900000001 implements MigrationInterface {
  name = 'CreateSiemPositions1764900000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE siem_positions (
        forwarder  TEXT        PRIMARY KEY,
        seq        BIGINT      NOT NULL CHECK (seq >= 0),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE siem_positions`);
  }
}
