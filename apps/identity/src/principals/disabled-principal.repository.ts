import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { PrincipalType } from '@modelgate/auth';

export interface DisabledPrincipal {
  readonly principalId: string;
  readonly principalType: PrincipalType;
  readonly reason: string;
  readonly disabledBy: string;
  readonly disabledAt: Date;
}

interface Row {
  principal_id: string;
  principal_type: PrincipalType;
  reason: string;
  disabled_by: string;
  disabled_at: Date;
}

const toDisabled = (r: Row): DisabledPrincipal => ({
  principalId: r.principal_id,
  principalType: r.principal_type,
  reason: r.reason,
  disabledBy: r.disabled_by,
  disabledAt: r.disabled_at,
});

/** Principals identity refuses: users disabled here (admin or LDAP check), plus disabled service accounts. */
@Injectable()
export class DisabledPrincipalRepository {
  constructor(private readonly db: DataSource) {}

  /** Undefined when the principal was disabled already (nothing changed, no event due). */
  async insert(
    tx: EntityManager,
    p: Pick<DisabledPrincipal, 'principalId' | 'principalType' | 'reason' | 'disabledBy'>,
  ): Promise<DisabledPrincipal | undefined> {
    const rows: Row[] = await tx.query(
      `INSERT INTO disabled_principals (principal_id, principal_type, reason, disabled_by)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING *`,
      [p.principalId, p.principalType, p.reason, p.disabledBy],
    );
    return rows[0] ? toDisabled(rows[0]) : undefined;
  }

  async get(type: PrincipalType, id: string): Promise<DisabledPrincipal | undefined> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM disabled_principals WHERE principal_type = $1 AND principal_id = $2`,
      [type, id],
    );
    return rows[0] ? toDisabled(rows[0]) : undefined;
  }

  /** `type:id` of every principal that must not authenticate. */
  async allKeys(): Promise<string[]> {
    const rows: { k: string }[] = await this.db.query(
      `SELECT principal_type || ':' || principal_id AS k FROM disabled_principals
       UNION SELECT 'service_account:' || id FROM service_accounts WHERE disabled_at IS NOT NULL`,
    );
    return rows.map((r) => r.k);
  }
}
