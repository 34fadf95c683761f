import { CreateAuditLog1764900000000 } from './1764900000000-create-audit-log';
import { CreateSiemPositions1764900000001 } from './1764900000001-create-siem-positions';

/** The audit service's migrations, in order. */
export const AUDIT_MIGRATIONS = [CreateAuditLog1764900000000, CreateSiemPositions1764900000001];
