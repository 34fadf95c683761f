import { hash } from 'node:crypto';
import type { AuditSource } from '@modelgate/contracts';

/** `prev_hash` of the first row of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a stored row that its hash covers, `record` aside: every column but the hash itself. */
export interface ChainedColumns {
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
  readonly prevHash: string;
}

/** Every field a row's hash covers. */
export interface ChainedFields extends ChainedColumns {
  readonly record: unknown;
}

/**
 * JSON with object keys sorted at every depth (UTF-16 code unit order): the same value gives
 * the same text whatever order its keys came in (jsonb does not keep it). Properties whose
 * value is undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

const text = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));

/**
 * The canonical form of a row (v1): the canonical JSON of the array `["v1", seq, id, source,
 * occurredAt, ingestedAt, principalId, principalType, model, operation, decision, reason,
 * record, prevHash]`. Built from the record's canonical JSON, so ingest serialises each
 * record once, before the chain lock, and only this concatenation and the hash run under it.
 */
export function canonicalRow(row: ChainedColumns, recordJson: string): string {
  return `["v1",${row.seq},${text(row.id)},${text(row.source)},${text(row.occurredAt)},${text(
    row.ingestedAt,
  )},${text(row.principalId)},${text(row.principalType)},${text(row.model)},${text(row.operation)},${text(
    row.decision,
  )},${text(row.reason)},${recordJson},${text(row.prevHash)}]`;
}

/** SHA-256 (hex) of the row's canonical form, `recordJson` being `canonicalJson(record)`. */
export function chainHash(row: ChainedColumns, recordJson: string): string {
  return hash('sha256', canonicalRow(row, recordJson), 'hex');
}

/** SHA-256 (hex) of the row's canonical form, which includes the previous row's hash. */
export function rowHash(row: ChainedFields): string {
  return chainHash(row, canonicalJson(row.record));
}
