// The `grpc-timeout` header: at most 8 digits and a unit (Hours, Minutes, Seconds,
// milliseconds, microseconds, nanoseconds).

const TIMEOUT = /^(\d{1,8})([HMSmun])$/;

const UNIT_MS: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 1e-3,
  n: 1e-6,
};

/** The header for a deadline `ms` from now: whole milliseconds, at least 1. */
export function formatGrpcTimeout(ms: number): string {
  return `${Math.min(99_999_999, Math.max(1, Math.ceil(ms)))}m`;
}

/** Milliseconds from now, or null when the header is not a timeout (an absent one is undefined). */
export function parseGrpcTimeout(value: string | string[] | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? TIMEOUT.exec(value) : null;
  if (match === null) return null;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}
