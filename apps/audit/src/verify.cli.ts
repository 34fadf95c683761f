// `node apps/audit/dist/verify.cli.js`: verifies the audit trail in DATABASE_URL and prints
// the result of GET /v1/audit/verify as JSON. Exit 0 when intact, 1 when a problem was found,
// 2 when it could not run.
import 'reflect-metadata';
import { loadConfig } from '@modelgate/config';
import { openDataSource } from '@modelgate/event-store';
import { z } from 'zod';
import { auditConfigSchema } from './config';
import { verifyAuditChain } from './chain/verify-audit-chain';
import { AUDIT_MIGRATIONS } from './storage/audit-migrations';
import { AuditLogRepository } from './storage/audit-log.repository';

async function main(): Promise<number> {
  const config = loadConfig(z.object({ DATABASE_URL: auditConfigSchema.shape.DATABASE_URL }));
  const dataSource = await openDataSource({
    url: config.DATABASE_URL,
    schema: 'audit',
    migrations: AUDIT_MIGRATIONS,
    poolSize: 2,
  });
  try {
    const result = await verifyAuditChain(new AuditLogRepository(dataSource));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
