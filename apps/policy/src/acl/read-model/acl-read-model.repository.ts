import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '@modelgate/contracts';
import type { SqlExecutor } from '@modelgate/event-store';
import type { AclState, StoredDocument } from '../domain/acl-state';

interface Row {
  pattern: string;
  version: number;
  enforce: StoredDocument | null;
  shadow: StoredDocument | null;
  updated_at: Date;
  updated_by: Actor | null;
}

export interface AclPage {
  readonly items: AclState[];
  /** The last pattern of the page when more may follow. */
  readonly last: string | null;
}

function toState(row: Row): AclState {
  return {
    pattern: row.pattern,
    version: row.version,
    enforce: row.enforce,
    shadow: row.shadow,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

/**
 * The read side: the current documents per pattern. Written in the append's transaction
 * (so a read after a write sees it, with the same version), and rebuildable from the events.
 */
@Injectable()
export class AclReadModelRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Upserts a pattern's state; an older version never overwrites a newer one. */
  async project(tx: SqlExecutor, state: AclState): Promise<void> {
    await tx.query(
      `INSERT INTO acl_documents (pattern, version, enforce, shadow, updated_at, updated_by)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6::jsonb)
       ON CONFLICT (pattern) DO UPDATE SET version = EXCLUDED.version, enforce = EXCLUDED.enforce,
         shadow = EXCLUDED.shadow, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       WHERE acl_documents.version < EXCLUDED.version`,
      [
        state.pattern,
        state.version,
        state.enforce && JSON.stringify(state.enforce),
        state.shadow && JSON.stringify(state.shadow),
        state.updatedAt,
        state.updatedBy && JSON.stringify(state.updatedBy),
      ],
    );
  }

  /** The pattern's state, deleted ones included (their version still counts for ETags). */
  async get(pattern: string): Promise<AclState | undefined> {
    const [row] = await this.dataSource.query<Row[]>(`SELECT * FROM acl_documents WHERE pattern = $1`, [
      pattern,
    ]);
    return row && toState(row);
  }

  /** Live patterns after `after`, in order. */
  async list(after: string | null, limit: number): Promise<AclPage> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT * FROM acl_documents WHERE (enforce IS NOT NULL OR shadow IS NOT NULL) AND ($1::text IS NULL OR pattern > $1)
       ORDER BY pattern LIMIT $2`,
      [after, limit + 1],
    );
    const items = rows.slice(0, limit).map(toState);
    return { items, last: rows.length > limit ? (items.at(-1)?.pattern ?? null) : null };
  }

  /** Every row, deleted ones included: what the rebuild test compares. */
  async all(): Promise<AclState[]> {
    const rows = await this.dataSource.query<Row[]>(`SELECT * FROM acl_documents ORDER BY pattern`);
    return rows.map(toState);
  }
}
