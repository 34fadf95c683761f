import type { AuditEventV1 } from '@modelgate/contracts';

/** Characters a spreadsheet treats as the start of a formula (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 cell: a value a spreadsheet would run as a formula is neutralised with a
 * leading `'`; a cell holding a comma, a quote, CR or LF is quoted, quotes doubled.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const CSV_COLUMNS = [
  'seq',
  'id',
  'source',
  'occurred_at',
  'ingested_at',
  'principal_id',
  'principal_type',
  'model',
  'operation',
  'decision',
  'reason',
  'rule_id',
  'policy_version',
  'source_ip',
  'request_id',
  'record',
  'prev_hash',
  'hash',
] as const;

const str = (v: unknown): string | number | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'number'
      ? v
      : typeof v === 'string'
        ? v
        : JSON.stringify(v);

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** One event as a CSV line (CRLF-terminated); `record` is the whole record as JSON. */
export function csvLine(e: AuditEventV1): string {
  const r = e.record;
  const cells = [
    e.seq,
    e.id,
    e.source,
    e.occurred_at,
    e.ingested_at,
    e.principal_id,
    e.principal_type,
    e.model,
    e.operation,
    e.decision,
    e.reason,
    str(r['rule_id']),
    str(r['policy_version']),
    str(r['source_ip']),
    str(r['request_id']),
    JSON.stringify(r),
    e.prev_hash,
    e.hash,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** One event as an NDJSON line: JSON.stringify escapes CR, LF and every control character. */
export function ndjsonLine(e: AuditEventV1): string {
  return `${JSON.stringify(e)}\n`;
}
