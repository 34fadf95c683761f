import { CreateAuditLog1764900000000 } from './1764900000000-create-audit-log';
import { CreateSiemPositions1764900000001 } from './1764900000001-create-siem-positions';
import { RecordIdsRetention1764900000002 } from './1764900000002-record-ids-retention';

/** The audit service's migrations, in order. */
export const AUDIT_MIGRATIONS = [
  CreateAuditLog1764900000000,
  CreateSiemPositions1764900000001,
  RecordIdsRetention1764900000002,
];
