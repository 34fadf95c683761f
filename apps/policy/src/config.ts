import { z } from 'zod';
import { databaseConfigShape, serviceConfigShape } from '@modelgate/config';

/** Everything the policy service reads from its environment, validated at start. */
export const policyConfigSchema = z.object({
  ...serviceConfigShape({ port: 3002 }),
  ...databaseConfigShape,
});

export type PolicyConfig = z.output<typeof policyConfigSchema>;
