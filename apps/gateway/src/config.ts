import { z } from 'zod';
import { serviceConfigShape } from '@modelgate/config';

/** Everything the gateway service reads from its environment, validated at start. */
export const gatewayConfigSchema = z.object({
  ...serviceConfigShape({ port: 8080, bindAddress: '0.0.0.0' }),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
