import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { returnedRows } from '../database/returning';

export interface ServiceAccount {
  readonly id: string;
  readonly name: string;
  readonly roles: string[];
  readonly secretHash: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly disabledAt: Date | null;
}

interface Row {
  id: string;
  name: string;
  roles: string[];
  secret_hash: string;
  created_by: string;
  created_at: Date;
  disabled_at: Date | null;
}

const toAccount = (r: Row): ServiceAccount => ({
  id: r.id,
  name: r.name,
  roles: r.roles,
  secretHash: r.secret_hash,
  createdBy: r.created_by,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

@Injectable()
export class ServiceAccountRepository {
  constructor(private readonly db: DataSource) {}

  /** Undefined when the id is taken. */
  async insert(
    tx: EntityManager,
    account: Pick<ServiceAccount, 'id' | 'name' | 'roles' | 'secretHash' | 'createdBy'>,
  ): Promise<ServiceAccount | undefined> {
    const rows: Row[] = await tx.query(
      `INSERT INTO service_accounts (id, name, roles, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING RETURNING *`,
      [account.id, account.name, JSON.stringify(account.roles), account.secretHash, account.createdBy],
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  async get(id: string): Promise<ServiceAccount | undefined> {
    const rows: Row[] = await this.db.query(`SELECT * FROM service_accounts WHERE id = $1`, [id]);
    return rows[0] ? toAccount(rows[0]) : undefined;
  }

  /** One page, by id: up to `limit` accounts whose id sorts after `afterId`. */
  async list(limit: number, afterId?: string): Promise<ServiceAccount[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM service_accounts WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [afterId ?? null, limit],
    );
    return rows.map(toAccount);
  }

  async disable(tx: EntityManager, id: string): Promise<ServiceAccount | undefined> {
    const rows = returnedRows<Row>(
      await tx.query(
        `UPDATE service_accounts SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL RETURNING *`,
        [id],
      ),
    );
    return rows[0] ? toAccount(rows[0]) : undefined;
  }
}
