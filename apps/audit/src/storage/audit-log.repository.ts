import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { AuditEventV1, AuditSource } from '@modelgate/contracts';
import { chainHash, GENESIS_HASH } from '../chain/chain-hash';
import { newAuditRecord, type NewAuditRecord } from '../records/audit-record';
import { AUDIT_WRITER_ROLE } from './1764900000000-create-audit-log';
import { copyTextField } from './copy-text';

/** Filters of `GET /v1/audit/events` and the exports. */
export interface AuditFilter {
  readonly principal?: string;
  readonly model?: string;
  readonly operation?: string;
  readonly decision?: 'allow' | 'deny';
  /** occurred_at >= from */
  readonly from?: Date;
  /** occurred_at < to */
  readonly to?: Date;
}

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly ingestedAt: Date | null;
}

/** Points where tests stop a batch to prove nothing is lost or doubled (never set in production). */
export interface AppendHooks {
  /** Inside the transaction, rows written, before COMMIT; receives the backend pid. */
  beforeCommit?(backendPid: number): Promise<void>;
}

export interface AppendResult {
  readonly inserted: number;
  readonly duplicates: number;
  readonly head: ChainHead;
}

export interface RetentionEntry {
  readonly partition: string;
  readonly rows: number;
  readonly lastSeq: number;
  readonly lastHash: string;
}

export interface RetentionResult {
  /** Day partitions dropped, oldest first. */
  readonly dropped: RetentionEntry[];
  /** Dedupe keys (`record_ids`) deleted: those of rows retention has dropped, now or before. */
  readonly forgottenIds: number;
}

export interface DigestRow {
  readonly headSeq: number;
  readonly headHash: string;
  readonly signedAt: Date;
  readonly keyId: string;
  readonly signature: string;
}

// One chain, serialised across every instance of the service by this transaction lock.
const CHAIN_LOCK = `pg_advisory_xact_lock(hashtext('modelgate.audit.chain'))`;
const PARTITION_LOCK = `pg_advisory_xact_lock(hashtext('modelgate.audit.partitions'))`;
const COLUMNS = `seq, id, source, occurred_at, ingested_at, principal_id, principal_type, model, operation,
  decision, reason, record, prev_hash, hash`;

interface DbRow {
  seq: string;
  id: string;
  source: AuditSource;
  occurred_at: Date;
  ingested_at: Date;
  principal_id: string | null;
  principal_type: string | null;
  model: string | null;
  operation: string;
  decision: 'allow' | 'deny' | null;
  reason: string | null;
  record: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function toAuditEvent(row: DbRow): AuditEventV1 {
  return {
    seq: Number(row.seq),
    id: row.id,
    source: row.source,
    occurred_at: row.occurred_at.toISOString(),
    ingested_at: row.ingested_at.toISOString(),
    principal_id: row.principal_id,
    principal_type: row.principal_type,
    model: row.model,
    operation: row.operation,
    decision: row.decision,
    reason: row.reason,
    record: row.record,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}

/** Name of the day partition holding `day` (UTC). */
export function partitionName(day: Date): string {
  return `audit_log_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;
}

const DAY_MS = 24 * 3600 * 1000;
const startOfDay = (t: Date) => new Date(Math.floor(t.getTime() / DAY_MS) * DAY_MS);

/**
 * The audit trail in Postgres. Writes and reads run as the append-only writer role
 * (`SET LOCAL ROLE`); partition upkeep and retention run as the schema owner.
 */
export class AuditLogRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Appends records to the chain in one transaction: ids already stored (a redelivery)
   * are skipped by `ON CONFLICT DO NOTHING` on `record_ids`, the rest get the next
   * sequence numbers and their hashes, computed from the head taken under the chain lock.
   */
  async append(records: readonly NewAuditRecord[], hooks: AppendHooks = {}): Promise<AppendResult> {
    // The uuid column stores and answers ids in lower case: hash, compare and store them so,
    // or an upper-case id would count as seen (never stored) or fail verification.
    const unique = [
      ...new Map(records.map((r) => [r.id.toLowerCase(), { ...r, id: r.id.toLowerCase() }])).values(),
    ];
    return this.asWriter(async (m) => {
      await m.query(`SELECT ${CHAIN_LOCK}`);
      const head = await this.headIn(m);
      const now = this.now();
      // Never before the head: seq order and partition (time) order stay the same, so
      // retention only ever drops a prefix of the chain.
      const ingestedAt = head.ingestedAt && head.ingestedAt > now ? head.ingestedAt : now;
      const fresh = new Set(
        (
          await m.query<{ id: string }[]>(
            `INSERT INTO record_ids (id, ingested_at) SELECT unnest($1::uuid[]), $2
             ON CONFLICT (id) DO NOTHING RETURNING id`,
            [unique.map((r) => r.id), ingestedAt],
          )
        ).map((r) => r.id),
      );
      const toInsert = unique.filter((r) => fresh.has(r.id));
      let { seq, hash } = head;
      const ingested = ingestedAt.toISOString();
      // COPY, not INSERT: no array literals to build here and to parse there, the text
      // format's few escapes instead. Sent in chunks so a big batch is never one string.
      const chunks: string[] = [];
      let chunk = '';
      for (const r of toInsert) {
        seq += 1;
        const prevHash = hash;
        hash = chainHash(
          {
            seq,
            id: r.id,
            source: r.source,
            occurredAt: r.occurredAt,
            ingestedAt: ingested,
            principalId: r.principalId,
            principalType: r.principalType,
            model: r.model,
            operation: r.operation,
            decision: r.decision,
            reason: r.reason,
            prevHash,
          },
          r.recordJson,
        );
        chunk += `${seq}\t${r.id}\t${r.source}\t${r.occurredAt}\t${ingested}\t${copyTextField(
          r.principalId,
        )}\t${copyTextField(r.principalType)}\t${copyTextField(r.model)}\t${copyTextField(
          r.operation,
        )}\t${copyTextField(r.decision)}\t${copyTextField(r.reason)}\t${copyTextField(
          r.recordJson,
        )}\t${prevHash}\t${hash}\n`;
        if (chunk.length >= COPY_CHUNK_CHARS) {
          chunks.push(chunk);
          chunk = '';
        }
      }
      if (chunk) chunks.push(chunk);
      if (chunks.length > 0) await copyIn(m, `COPY audit_log (${COLUMNS}) FROM STDIN`, chunks);
      if (hooks.beforeCommit) {
        const [pid] = await m.query<{ pid: number }[]>(`SELECT pg_backend_pid() AS pid`);
        await hooks.beforeCommit(pid!.pid);
      }
      return {
        inserted: toInsert.length,
        duplicates: records.length - toInsert.length,
        head: { seq, hash, ingestedAt },
      };
    });
  }

  async head(): Promise<ChainHead> {
    return this.asWriter((m) => this.headIn(m));
  }

  /** Creates the day partitions from today to `daysAhead` days on (idempotent). */
  async ensurePartitions(daysAhead: number): Promise<string[]> {
    const today = startOfDay(this.now());
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT ${PARTITION_LOCK}`);
      const created: string[] = [];
      for (let d = 0; d <= daysAhead; d++) {
        const from = new Date(today.getTime() + d * DAY_MS);
        const to = new Date(from.getTime() + DAY_MS);
        const name = partitionName(from);
        const exists = await m.query<{ r: string | null }[]>(`SELECT to_regclass($1) AS r`, [name]);
        if (exists[0]?.r) continue;
        await m.query(
          `CREATE TABLE "${name}" PARTITION OF audit_log FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
        );
        created.push(name);
      }
      return created;
    });
  }

  /**
   * Drops every day partition that ends at or before `cutoff`, oldest first, recording
   * for each its row count and last link in `retention_log` (verify starts from there),
   * then appends an `audit.retention_applied` row to the chain itself, and finally deletes
   * the dedupe keys of every row no longer in the trail ({@link forgetDroppedRecordIds}).
   *
   * Forgotten ids can be ingested again: the decisions topic (and the event topics) must
   * keep records for less time than the trail does, or a replay from the earliest offset
   * (a new consumer group, expired group offsets) would store a dropped record a second time.
   */
  async applyRetention(cutoff: Date): Promise<RetentionResult> {
    const dropped = await this.dropPartitions(cutoff);
    return { dropped, forgottenIds: await this.forgetDroppedRecordIds() };
  }

  /**
   * Deletes the `record_ids` of rows that retention dropped: those ingested before the
   * oldest row still in the trail (ids and rows of one batch share its `ingested_at`). In
   * chunks of `chunk` rows, one statement (transaction) each, outside the chain lock: ingest
   * goes on meanwhile. Idempotent, so a crash between dropping a partition and this only leaves
   * work for the next run. The table's trigger refuses any other delete (see migration
   * RecordIdsRetention1764900000002).
   */
  async forgetDroppedRecordIds(chunk = 50_000): Promise<number> {
    let total = 0;
    for (;;) {
      // One statement, so the bound is the trail's own value (microseconds, no round trip);
      // an empty trail gives no bound and deletes nothing (the trigger would refuse anyway).
      // The bound as a scalar subquery is a parameter of the scan: the BRIN index on
      // ingested_at finds the old ids (a join to a CTE would filter a full scan instead), and
      // min(ingested_at) is read off each partition's primary key.
      const [gone] = await this.dataSource.query<{ n: number }[]>(
        `WITH gone AS (
           DELETE FROM record_ids WHERE ctid = ANY (ARRAY(
             SELECT ctid FROM record_ids
              WHERE ingested_at < (SELECT min(ingested_at) FROM audit_log)
              LIMIT ${Math.trunc(chunk)}))
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
      );
      const deleted = gone?.n ?? 0;
      total += deleted;
      if (deleted < chunk) return total;
    }
  }

  private async dropPartitions(cutoff: Date): Promise<RetentionEntry[]> {
    const dropped = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT ${CHAIN_LOCK}`);
      const parts = await m.query<{ name: string; bound: string }[]>(
        `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'audit_log'::regclass ORDER BY c.relname`,
      );
      const entries: RetentionEntry[] = [];
      for (const p of parts) {
        const upper = /TO \('([^']+)'\)/.exec(p.bound)?.[1];
        if (!upper || new Date(upper) > cutoff) continue;
        const [stats] = await m.query<{ rows: string; last_seq: string | null }[]>(
          `SELECT count(*)::bigint AS rows, max(seq) AS last_seq FROM "${p.name}"`,
        );
        const entry = stats?.last_seq
          ? {
              partition: p.name,
              rows: Number(stats.rows),
              lastSeq: Number(stats.last_seq),
              lastHash: (
                await m.query<
                  {
                    hash: string;
                  }[]
                >(`SELECT hash FROM "${p.name}" WHERE seq = $1`, [stats.last_seq])
              )[0]!.hash,
            }
          : null;
        // An empty partition carries the link of the last entry before it (nothing to lose).
        const previous = entry ?? entries.at(-1) ?? (await this.lastRetentionIn(m));
        const row = entry ?? {
          partition: p.name,
          rows: 0,
          lastSeq: previous?.lastSeq ?? 0,
          lastHash: previous?.lastHash ?? GENESIS_HASH,
        };
        await m.query(`DROP TABLE "${p.name}"`);
        await m.query(
          `INSERT INTO retention_log (partition, rows, last_seq, last_hash) VALUES ($1, $2, $3, $4)`,
          [row.partition, row.rows, row.lastSeq, row.lastHash],
        );
        entries.push(row);
      }
      return entries;
    });
    if (dropped.length > 0) {
      const at = this.now().toISOString();
      await this.append([
        newAuditRecord({
          id: randomUUID(),
          source: 'audit',
          occurredAt: at,
          principalId: null,
          principalType: null,
          model: null,
          operation: 'audit.retention_applied',
          decision: null,
          reason: null,
          record: { cutoff: cutoff.toISOString(), dropped },
        }),
      ]);
    }
    return dropped;
  }

  async retentionLog(): Promise<RetentionEntry[]> {
    return this.asWriter(async (m) => {
      const rows = await m.query<{ partition: string; rows: string; last_seq: string; last_hash: string }[]>(
        `SELECT partition, rows, last_seq, last_hash FROM retention_log ORDER BY id`,
      );
      return rows.map((r) => ({
        partition: r.partition,
        rows: Number(r.rows),
        lastSeq: Number(r.last_seq),
        lastHash: r.last_hash,
      }));
    });
  }

  /** A page of events, newest first, after the cursor's seq. */
  async page(filter: AuditFilter, beforeSeq: number | null, limit: number): Promise<AuditEventV1[]> {
    const { where, params } = whereClause(filter, beforeSeq);
    return this.asWriter(async (m) => {
      const rows = await m.query<DbRow[]>(
        `SELECT ${COLUMNS} FROM audit_log ${where} ORDER BY seq DESC LIMIT ${Math.trunc(limit)}`,
        params,
      );
      return rows.map(toAuditEvent);
    });
  }

  /**
   * Every matching event in `order` of seq through a server-side cursor, `batch` rows
   * per FETCH: memory stays constant whatever the count, and the next FETCH is issued
   * only when the consumer pulls (backpressure). Breaking out of the loop closes it.
   */
  async *stream(
    filter: AuditFilter,
    order: 'asc' | 'desc' = 'asc',
    batch = 1_000,
  ): AsyncGenerator<AuditEventV1> {
    const { where, params } = whereClause(filter, null);
    for await (const row of this.cursor(
      `SELECT ${COLUMNS} FROM audit_log ${where} ORDER BY seq ${order === 'asc' ? 'ASC' : 'DESC'}`,
      params,
      batch,
    ))
      yield toAuditEvent(row as DbRow);
  }

  /** Up to `limit` events after `afterSeq`, oldest first (SIEM forwarders). */
  async after(afterSeq: number, limit: number): Promise<AuditEventV1[]> {
    return this.asWriter(async (m) => {
      const rows = await m.query<DbRow[]>(
        `SELECT ${COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq ASC LIMIT ${Math.trunc(limit)}`,
        [afterSeq],
      );
      return rows.map(toAuditEvent);
    });
  }

  /** The raw chain in seq order, for verification. */
  async *chain(batch = 5_000): AsyncGenerator<AuditEventV1> {
    yield* this.stream({}, 'asc', batch);
  }

  async digests(): Promise<DigestRow[]> {
    return this.asWriter(async (m) => {
      const rows = await m.query<
        { head_seq: string; head_hash: string; signed_at: Date; key_id: string; signature: string }[]
      >(`SELECT head_seq, head_hash, signed_at, key_id, signature FROM digests ORDER BY id`);
      return rows.map((r) => ({
        headSeq: Number(r.head_seq),
        headHash: r.head_hash,
        signedAt: r.signed_at,
        keyId: r.key_id,
        signature: r.signature,
      }));
    });
  }

  async insertDigest(d: DigestRow): Promise<void> {
    await this.asWriter((m) =>
      m.query(
        `INSERT INTO digests (head_seq, head_hash, signed_at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
        [d.headSeq, d.headHash, d.signedAt, d.keyId, d.signature],
      ),
    );
  }

  async hashAt(seq: number): Promise<string | null> {
    return this.asWriter(async (m) => {
      const rows = await m.query<{ hash: string }[]>(`SELECT hash FROM audit_log WHERE seq = $1`, [seq]);
      return rows[0]?.hash ?? null;
    });
  }

  /** Public keys by id (digest verification), and the private key PEM if the DB holds one. */
  async signingKeys(): Promise<{ keyId: string; publicKey: string; privateKey: string | null }[]> {
    const rows = await this.dataSource.query<
      { key_id: string; public_key: string; private_key: string | null }[]
    >(`SELECT key_id, public_key, private_key FROM signing_keys ORDER BY created_at`);
    return rows.map((r) => ({ keyId: r.key_id, publicKey: r.public_key, privateKey: r.private_key }));
  }

  async saveSigningKey(keyId: string, publicKey: string, privateKey: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO signing_keys (key_id, public_key, private_key) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING`,
      [keyId, publicKey, privateKey],
    );
  }

  private async headIn(m: EntityManager): Promise<ChainHead> {
    const rows = await m.query<{ seq: string; hash: string; ingested_at: Date }[]>(
      `SELECT seq, hash, ingested_at FROM audit_log ORDER BY seq DESC LIMIT 1`,
    );
    const top = rows[0];
    if (top) return { seq: Number(top.seq), hash: top.hash, ingestedAt: top.ingested_at };
    const dropped = await this.lastRetentionIn(m);
    return dropped
      ? { seq: dropped.lastSeq, hash: dropped.lastHash, ingestedAt: null }
      : { seq: 0, hash: GENESIS_HASH, ingestedAt: null };
  }

  private async lastRetentionIn(m: EntityManager): Promise<{ lastSeq: number; lastHash: string } | null> {
    const rows = await m.query<{ last_seq: string; last_hash: string }[]>(
      `SELECT last_seq, last_hash FROM retention_log ORDER BY id DESC LIMIT 1`,
    );
    return rows[0] ? { lastSeq: Number(rows[0].last_seq), lastHash: rows[0].last_hash } : null;
  }

  private asWriter<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL ROLE ${AUDIT_WRITER_ROLE}`);
      return fn(m);
    });
  }

  private async *cursor(sql: string, params: unknown[], batch: number): AsyncGenerator<unknown> {
    const runner: QueryRunner = this.dataSource.createQueryRunner();
    await runner.connect();
    let open = false;
    try {
      await runner.startTransaction('REPEATABLE READ');
      open = true;
      await runner.query(`SET LOCAL ROLE ${AUDIT_WRITER_ROLE}`);
      await runner.query(`DECLARE audit_export NO SCROLL CURSOR FOR ${sql}`, params);
      for (;;) {
        const rows = (await runner.query(`FETCH ${Math.trunc(batch)} FROM audit_export`)) as unknown[];
        for (const row of rows) yield row;
        if (rows.length < batch) break;
      }
      await runner.commitTransaction();
      open = false;
    } finally {
      if (open) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }
}

/** Characters per piece of a COPY's data (the last may be shorter). */
const COPY_CHUNK_CHARS = 1 << 20;

/** Runs `COPY ... FROM STDIN` on the transaction's connection, streaming `chunks` as its data. */
async function copyIn(m: EntityManager, sql: string, chunks: readonly string[]): Promise<void> {
  if (!m.queryRunner) throw new Error('COPY needs a transaction of its own');
  const client = (await m.queryRunner.connect()) as PoolClient;
  await pipeline(Readable.from(chunks), client.query(copyFrom(sql)));
}

function whereClause(filter: AuditFilter, beforeSeq: number | null): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.principal !== undefined) add('principal_id = ?', filter.principal);
  if (filter.model !== undefined) add('model = ?', filter.model);
  if (filter.operation !== undefined) add('operation = ?', filter.operation);
  if (filter.decision !== undefined) add('decision = ?', filter.decision);
  if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
  if (filter.to !== undefined) add('occurred_at < ?', filter.to);
  if (beforeSeq !== null) add('seq < ?', beforeSeq);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
