import { z } from 'zod';
import { databaseConfigShape, serviceConfigShape } from '@modelgate/config';

/** Everything the audit service reads from its environment, validated at start. */
export const auditConfigSchema = z.object({
  ...serviceConfigShape({ port: 3004 }),
  ...databaseConfigShape,
});

export type AuditConfig = z.output<typeof auditConfigSchema>;
