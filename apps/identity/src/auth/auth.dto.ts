import { z } from 'zod';

export const passwordLoginDto = z.object({
  grant_type: z.literal('password').optional(),
  username: z.string().max(1024),
  password: z.string().max(4096),
});

export const clientCredentialsDto = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().max(1024),
  client_secret: z.string().max(4096),
});

export const tokenRequestDto = z.union([clientCredentialsDto, passwordLoginDto]);
