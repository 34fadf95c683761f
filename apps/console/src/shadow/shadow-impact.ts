// What a shadow candidate would change, from the audit records of real requests: each
// decision record carries the enforced outcome and the outcome with the candidate.
import type { AuditEventV1 } from '@modelgate/contracts';

export interface PrincipalImpact {
  readonly principal: string;
  readonly newlyAllowed: number;
  readonly newlyDenied: number;
  readonly unchanged: number;
  readonly operations: readonly string[];
  readonly lastSeen: string;
}

export interface ShadowImpact {
  /** Decision records with a shadow outcome. */
  readonly compared: number;
  readonly newlyAllowed: number;
  readonly newlyDenied: number;
  readonly byPrincipal: readonly PrincipalImpact[];
}

function shadowAllow(record: Record<string, unknown>): boolean | null {
  const shadow = record['shadow'];
  if (typeof shadow !== 'object' || shadow === null) return null;
  const allow = (shadow as Record<string, unknown>)['allow'];
  return typeof allow === 'boolean' ? allow : null;
}

export function shadowImpact(events: readonly AuditEventV1[]): ShadowImpact {
  const by = new Map<
    string,
    { allowed: number; denied: number; same: number; ops: Set<string>; last: string }
  >();
  let compared = 0;
  for (const e of events) {
    if (e.source !== 'decision' || e.decision === null) continue;
    const shadow = shadowAllow(e.record);
    if (shadow === null) continue;
    compared++;
    const enforced = e.decision === 'allow';
    const key = e.principal_id ?? '(unauthenticated)';
    const entry = by.get(key) ?? {
      allowed: 0,
      denied: 0,
      same: 0,
      ops: new Set<string>(),
      last: e.occurred_at,
    };
    by.set(key, entry);
    if (shadow && !enforced) entry.allowed++;
    else if (!shadow && enforced) entry.denied++;
    else entry.same++;
    if (shadow !== enforced) entry.ops.add(e.operation);
    if (e.occurred_at > entry.last) entry.last = e.occurred_at;
  }
  const byPrincipal = [...by]
    .map(([principal, v]) => ({
      principal,
      newlyAllowed: v.allowed,
      newlyDenied: v.denied,
      unchanged: v.same,
      operations: [...v.ops].sort(),
      lastSeen: v.last,
    }))
    .sort(
      (a, b) =>
        b.newlyAllowed + b.newlyDenied - (a.newlyAllowed + a.newlyDenied) ||
        a.principal.localeCompare(b.principal),
    );
  return {
    compared,
    newlyAllowed: byPrincipal.reduce((s, p) => s + p.newlyAllowed, 0),
    newlyDenied: byPrincipal.reduce((s, p) => s + p.newlyDenied, 0),
    byPrincipal,
  };
}
