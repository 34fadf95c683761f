import { describe, expect, it } from 'vitest';
import type { AuditEventV1 } from '@modelgate/contracts';
import { shadowImpact } from './shadow-impact';

let seq = 0;
function decision(
  principal: string | null,
  enforced: 'allow' | 'deny',
  shadow: boolean | null,
  operation = 'infer',
  at = '2026-12-02T10:00:00Z',
): AuditEventV1 {
  return {
    seq: ++seq,
    id: `d${seq}`,
    source: 'decision',
    occurred_at: at,
    ingested_at: at,
    principal_id: principal,
    principal_type: principal ? 'user' : null,
    model: 'm',
    operation,
    decision: enforced,
    reason: 'x',
    record: {
      shadow: shadow === null ? null : { allow: shadow, reason: 'x', rule_id: null, policy_version: 2 },
    },
    prev_hash: '',
    hash: '',
  };
}

describe('shadowImpact', () => {
  it('counts what the candidate would newly allow and deny, by principal', () => {
    const impact = shadowImpact([
      decision('bob', 'deny', true),
      decision('bob', 'deny', true, 'train', '2026-12-02T11:00:00Z'),
      decision('alice', 'allow', false),
      decision('alice', 'allow', true),
      decision('carol', 'deny', null),
      decision(null, 'deny', false),
    ]);
    expect(impact.compared).toBe(5);
    expect(impact.newlyAllowed).toBe(2);
    expect(impact.newlyDenied).toBe(1);
    expect(impact.byPrincipal).toEqual([
      {
        principal: 'bob',
        newlyAllowed: 2,
        newlyDenied: 0,
        unchanged: 0,
        operations: ['infer', 'train'],
        lastSeen: '2026-12-02T11:00:00Z',
      },
      {
        principal: 'alice',
        newlyAllowed: 0,
        newlyDenied: 1,
        unchanged: 1,
        operations: ['infer'],
        lastSeen: '2026-12-02T10:00:00Z',
      },
      {
        principal: '(unauthenticated)',
        newlyAllowed: 0,
        newlyDenied: 0,
        unchanged: 1,
        operations: [],
        lastSeen: '2026-12-02T10:00:00Z',
      },
    ]);
  });
  it('ignores admin changes and records without a shadow outcome', () => {
    const change = { ...decision('admin', 'allow', true), source: 'policy' as const, decision: null };
    expect(shadowImpact([change, decision('x', 'allow', null)]).compared).toBe(0);
  });
});
