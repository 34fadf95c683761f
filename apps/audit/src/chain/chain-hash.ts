import { createHash } from 'node:crypto';
import type { AuditSource } from '@modelgate/contracts';

/** `prev_hash` of the first row of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a stored row that its hash covers: every column but the hash itself. */
export interface ChainedFields {
  readonly seq: number;
  readonly id: string;
  readonly source: AuditSource;
  readonly occurredAt: string;
  readonly ingestedAt: string;
  readonly principalId: string | null;
  readonly principalType: string | null;
  readonly model: string | null;
  readonly operation: string;
  readonly decision: 'allow' | 'deny' | null;
  readonly reason: string | null;
  readonly record: unknown;
  readonly prevHash: string;
}

/**
 * JSON with object keys sorted at every depth: the same value gives the same text whatever
 * order its keys came in (jsonb does not keep it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The canonical form of a row: a JSON array in a fixed field order (version-tagged). */
export function canonicalRow(row: ChainedFields): string {
  return canonicalJson([
    'v1',
    row.seq,
    row.id,
    row.source,
    row.occurredAt,
    row.ingestedAt,
    row.principalId,
    row.principalType,
    row.model,
    row.operation,
    row.decision,
    row.reason,
    row.record,
    row.prevHash,
  ]);
}

/** SHA-256 (hex) of the row's canonical form, which includes the previous row's hash. */
export function rowHash(row: ChainedFields): string {
  return createHash('sha256').update(canonicalRow(row), 'utf8').digest('hex');
}
