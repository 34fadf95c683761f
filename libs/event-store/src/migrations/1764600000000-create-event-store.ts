import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event store: append-only events with optimistic concurrency per stream, the
 * transactional outbox written in the same transaction, and optional snapshots.
 */
export class CreateEventStore1764600000000 implements MigrationInterface {
  name = 'CreateEventStore1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events (
        global_position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id              UUID        NOT NULL UNIQUE,
        stream_id       TEXT        NOT NULL,
        sequence        INTEGER     NOT NULL CHECK (sequence > 0),
        type            TEXT        NOT NULL,
        schema_version  INTEGER     NOT NULL CHECK (schema_version > 0),
        data            JSONB       NOT NULL,
        metadata        JSONB       NOT NULL DEFAULT '{}'::jsonb,
        occurred_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT events_stream_sequence_unique UNIQUE (stream_id, sequence)
      )`);
    // Events are facts: no role may rewrite or remove them.
    await q.query(`
      CREATE FUNCTION events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only (% refused)', TG_OP;
      END $$`);
    await q.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_refuse_change()`);
    await q.query(`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_refuse_change()`);
    await q.query(`
      CREATE TABLE outbox (
        id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id        UUID        NOT NULL REFERENCES events(id),
        stream_id       TEXT        NOT NULL,
        sequence        INTEGER     NOT NULL,
        topic           TEXT        NOT NULL,
        message_key     TEXT        NOT NULL,
        payload         JSONB,
        headers         JSONB       NOT NULL DEFAULT '{}'::jsonb,
        created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
        published_at    TIMESTAMPTZ,
        CONSTRAINT outbox_published_after_created CHECK (published_at IS NULL OR published_at >= created_at)
      )`);
    // The relay reads unpublished rows in id order; published rows drop out of the index.
    await q.query(`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
    await q.query(`CREATE INDEX outbox_event ON outbox (event_id)`);
    await q.query(`
      CREATE TABLE snapshots (
        stream_id   TEXT        PRIMARY KEY,
        sequence    INTEGER     NOT NULL CHECK (sequence > 0),
        state       JSONB       NOT NULL,
        taken_at    TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE snapshots`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE events`);
    await q.query(`DROP FUNCTION events_refuse_change()`);
  }
}
