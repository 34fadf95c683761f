import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity events move to the event store's `events` + `outbox` tables (created by the
 * event-store migration that runs with identity's): each principal's stream is its events,
 * so `principal_streams` (a bare sequence counter, no event kept) goes. Also: principals
 * disabled outside service accounts (users disabled by an admin or found disabled or
 * removed in LDAP), and the group → role mapping last announced.
 */
export class IdentityOutbox1764800000000 implements MigrationInterface {
  name = 'IdentityOutbox1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE principal_streams`);
    await q.query(`
      CREATE TABLE disabled_principals (
        principal_id   TEXT        NOT NULL,
        principal_type TEXT        NOT NULL CHECK (principal_type IN ('user', 'service_account')),
        reason         TEXT        NOT NULL,
        disabled_by    TEXT        NOT NULL,
        disabled_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (principal_type, principal_id)
      )`);
    await q.query(`
      CREATE TABLE role_mapping (
        singleton   BOOLEAN     PRIMARY KEY DEFAULT true CHECK (singleton),
        mapping     JSONB       NOT NULL,
        updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE role_mapping`);
    await q.query(`DROP TABLE disabled_principals`);
    await q.query(
      `CREATE TABLE principal_streams (principal_id TEXT PRIMARY KEY, sequence INTEGER NOT NULL)`,
    );
  }
}
