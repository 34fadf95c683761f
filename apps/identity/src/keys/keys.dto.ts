import { z } from 'zod';
import { pageQueryShape } from '../pagination/cursor';

export const OPERATIONS = ['infer', 'train', 'download', 'view'] as const;

export const createKeyDto = z.strictObject({
  name: z.string().trim().min(1).max(200),
  expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  models: z.array(z.string().min(1).max(200)).min(1).max(100).nullable().optional(),
  operations: z.array(z.enum(OPERATIONS)).min(1).nullable().optional(),
  service_account: z.string().min(1).max(128).optional(),
});

export const keyIdParam = z.string().regex(/^[0-9a-f]{16}$/);

export const keyListQueryDto = z.strictObject({
  ...pageQueryShape,
  /** Whose keys (admins only for someone else's); default the caller. */
  owner: z.string().min(1).max(320).optional(),
});

export type KeyListQuery = z.output<typeof keyListQueryDto>;
