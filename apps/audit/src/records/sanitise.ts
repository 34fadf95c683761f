/**
 * What Postgres text and jsonb cannot hold, made storable without losing the record:
 * NUL becomes U+FFFD and lone surrogates become U+FFFD (as `toWellFormed` does). Invalid UTF-8 in
 * the Kafka value was already replaced by U+FFFD when it was decoded.
 */
const LONE_SURROGATE_OR_NUL =
  // eslint-disable-next-line no-control-regex -- NUL is exactly what must go
  /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function sanitiseString(value: string): string {
  return value.replace(LONE_SURROGATE_OR_NUL, '\uFFFD');
}

/** Deep copy of a parsed JSON value with every string (keys too) sanitised. */
export function sanitiseJson(value: unknown): unknown {
  if (typeof value === 'string') return sanitiseString(value);
  if (Array.isArray(value)) return value.map(sanitiseJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[sanitiseString(k)] = sanitiseJson(v);
    return out;
  }
  return value;
}

/** Indexed columns hold at most this many characters (a btree entry must fit a page); `record` keeps the whole value. */
export const MAX_COLUMN_CHARS = 512;

export function column(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value.length > MAX_COLUMN_CHARS ? value.slice(0, MAX_COLUMN_CHARS) : value;
}
