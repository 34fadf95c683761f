// The audit explorer's filters live in the URL (shareable, back button works).
import type { AuditFilters } from '../api/audit-api';

export const FILTER_KEYS = ['principal', 'model', 'operation', 'decision', 'from', 'to'] as const;

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const text = (key: (typeof FILTER_KEYS)[number]) => params.get(key) || undefined;
  const decision = params.get('decision');
  const out: { -readonly [K in keyof AuditFilters]: AuditFilters[K] } = {};
  for (const key of ['principal', 'model', 'operation', 'from', 'to'] as const) {
    const value = text(key);
    if (value !== undefined) out[key] = value;
  }
  // Only the audit API's two values; anything else in the URL is no filter.
  if (decision === 'allow' || decision === 'deny') out.decision = decision;
  return out;
}

export function paramsFromFilters(filters: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters))
    if (typeof value === 'string' && value !== '') out[key] = value;
  return out;
}

/** New events of a live tail: those above the highest seq already shown, newest first. */
export function newerEvents<T extends { seq: number }>(shown: readonly T[], fetched: readonly T[]): T[] {
  const top = shown.reduce((max, e) => Math.max(max, e.seq), 0);
  return fetched.filter((e) => e.seq > top).sort((a, b) => b.seq - a.seq);
}
