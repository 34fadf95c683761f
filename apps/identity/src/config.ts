import { z } from 'zod';
import { databaseConfigShape, serviceConfigShape } from '@modelgate/config';

/** Everything the identity service reads from its environment, validated at start. */
export const identityConfigSchema = z.object({
  ...serviceConfigShape({ port: 3001 }),
  ...databaseConfigShape,
});

export type IdentityConfig = z.output<typeof identityConfigSchema>;
