/**
 * One row of the audit trail as the audit API answers it (`GET /v1/audit/events` items,
 * NDJSON export lines). Decisions, the gateway's refusals and admin changes (policy and
 * identity events) all have this shape; `record` is the record exactly as it arrived.
 */
export interface AuditEventV1 {
  /** Position in the hash chain: strictly increasing, without gaps. */
  readonly seq: number;
  /** The decision id or the event id: unique, the idempotency key of ingest. */
  readonly id: string;
  /** `decision` (decisions topic), `policy` or `identity` (admin changes), `audit` (the service's own). */
  readonly source: AuditSource;
  readonly occurred_at: string;
  readonly ingested_at: string;
  /** Null for an unauthenticated attempt. */
  readonly principal_id: string | null;
  readonly principal_type: string | null;
  readonly model: string | null;
  /** The operation of a decision; the event type of an admin change. */
  readonly operation: string;
  /** `allow` / `deny` for decisions, null for admin changes. */
  readonly decision: 'allow' | 'deny' | null;
  readonly reason: string | null;
  readonly record: Record<string, unknown>;
  readonly prev_hash: string;
  readonly hash: string;
}

export type AuditSource = 'decision' | 'policy' | 'identity' | 'audit';

/** `GET /v1/audit/verify`: ok, or the first problem found. */
export type AuditVerifyResultV1 =
  | {
      readonly ok: true;
      readonly rows: number;
      readonly head: { seq: number; hash: string } | null;
      readonly digests: number;
    }
  | { readonly ok: false; readonly rows: number; readonly problem: AuditChainProblemV1 };

export interface AuditChainProblemV1 {
  readonly kind:
    | 'hash_mismatch'
    | 'broken_link'
    | 'missing_row'
    | 'unexpected_row'
    | 'digest_signature_invalid'
    | 'digest_mismatch'
    | 'truncated';
  readonly seq: number;
  readonly message: string;
}
