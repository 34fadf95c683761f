import { z } from 'zod';
import { serviceConfigShape } from '@modelgate/config';

/** Everything the decision service reads from its environment, validated at start. */
export const decisionConfigSchema = z.object({
  ...serviceConfigShape({ port: 3003 }),
});

export type DecisionConfig = z.output<typeof decisionConfigSchema>;
