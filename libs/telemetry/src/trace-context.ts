import { randomBytes } from 'node:crypto';

/** A fresh W3C `traceparent` for work that did not arrive with one. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace id of a valid traceparent, or null (all-zero ids are invalid per W3C). */
export function traceIdOf(traceparent: string | undefined | null): string | null {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return null;
  return m[1]!;
}
