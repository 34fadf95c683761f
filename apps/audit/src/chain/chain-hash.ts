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
 *
 * Every record is serialised so at ingest and again at verification, so the common case is
 * fast: a copy of the value with its keys inserted in sorted order, given to the native
 * JSON.stringify (about twice as fast as building the text here). Insertion order is the
 * serialisation order except for keys that look like array indexes (engines put those
 * first, in numeric order) and `__proto__` (assigning it sets the prototype): a value
 * holding either is written by {@link canonicalJsonReference}, the definition.
 */
export function canonicalJson(value: unknown): string {
  const sorted = sortedCopy(value);
  return sorted === UNSORTABLE ? canonicalJsonReference(value) : (JSON.stringify(sorted) ?? 'null');
}

/** The definition of canonical JSON, built piece by piece. */
export function canonicalJsonReference(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJsonReference(value[i]);
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let out = '{';
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJsonReference(v)}`;
  }
  return `${out}}`;
}

const UNSORTABLE = Symbol('unsortable');
/** Keys an engine does not keep in insertion order (integer-like) or cannot store by assignment. */
const REORDERED_KEY = /^(?:0|[1-9]\d*)$|^__proto__$/;

/**
 * `value` with every object's own enumerable keys in sorted order (arrays and primitives as
 * they are), or UNSORTABLE when insertion order could not give that order. Values JSON
 * cannot hold (undefined, functions) are left for JSON.stringify to treat as the reference
 * does: left out of objects, `null` in arrays.
 */
function sortedCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const s = sortedCopy(item);
      if (s === UNSORTABLE) return UNSORTABLE;
      if (s !== item) (out ??= value.slice())[i] = s;
    }
    return out ?? value;
  }
  // An object with a toJSON method (a Date) is copied by its own keys, as the reference reads it.
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (REORDERED_KEY.test(key)) return UNSORTABLE;
    const s = sortedCopy(object[key]);
    if (s === UNSORTABLE) return UNSORTABLE;
    out[key] = s;
  }
  return out;
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
