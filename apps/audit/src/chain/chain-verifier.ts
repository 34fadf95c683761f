import type { AuditChainProblemV1, AuditEventV1, AuditVerifyResultV1 } from '@modelgate/contracts';
import { GENESIS_HASH, rowHash } from './chain-hash';
import { digestSignatureValid, type SignedDigest } from './digest-signer';

export interface ChainVerifyInput {
  /** Every row, in seq order. */
  readonly rows: AsyncIterable<AuditEventV1> | Iterable<AuditEventV1>;
  /** Where the chain starts after retention dropped its beginning (the last link dropped). */
  readonly start: { readonly lastSeq: number; readonly lastHash: string } | null;
  readonly digests: readonly SignedDigest[];
  /** Public key PEM by key id. */
  readonly publicKeys: ReadonlyMap<string, string>;
}

/**
 * Walks the chain once: every row must follow the previous one (seq + 1: else a row is
 * missing or one is out of place), link to its hash (prev_hash) and hash to what it
 * holds. Then every signed digest must verify and name a hash the chain still has at its
 * seq; a digest beyond the last row means rows were cut off the end. The first problem
 * found is reported.
 */
export async function verifyChain(input: ChainVerifyInput): Promise<AuditVerifyResultV1> {
  const wanted = new Map<number, string | null>(input.digests.map((d) => [d.headSeq, null]));
  let expectedSeq = (input.start?.lastSeq ?? 0) + 1;
  let prev = input.start?.lastHash ?? GENESIS_HASH;
  let rows = 0;
  const fail = (problem: AuditChainProblemV1): AuditVerifyResultV1 => ({ ok: false, rows, problem });

  for await (const row of input.rows) {
    if (row.seq > expectedSeq)
      return fail({
        kind: 'missing_row',
        seq: expectedSeq,
        message: `rows ${expectedSeq}..${row.seq - 1} are missing`,
      });
    if (row.seq < expectedSeq)
      return fail({
        kind: 'unexpected_row',
        seq: row.seq,
        message: `row ${row.seq} appears again after ${expectedSeq - 1}`,
      });
    if (row.prev_hash !== prev)
      return fail({
        kind: 'broken_link',
        seq: row.seq,
        message: `row ${row.seq} does not link to the row before it (prev_hash differs)`,
      });
    const computed = rowHash({
      seq: row.seq,
      id: row.id,
      source: row.source,
      occurredAt: row.occurred_at,
      ingestedAt: row.ingested_at,
      principalId: row.principal_id,
      principalType: row.principal_type,
      model: row.model,
      operation: row.operation,
      decision: row.decision,
      reason: row.reason,
      record: row.record,
      prevHash: row.prev_hash,
    });
    if (computed !== row.hash)
      return fail({
        kind: 'hash_mismatch',
        seq: row.seq,
        message: `row ${row.seq} does not hash to its stored hash (edited)`,
      });
    if (wanted.has(row.seq)) wanted.set(row.seq, row.hash);
    prev = row.hash;
    expectedSeq += 1;
    rows += 1;
  }
  const lastSeq = expectedSeq - 1;
  const firstSeq = (input.start?.lastSeq ?? 0) + 1;

  for (const d of input.digests) {
    const key = input.publicKeys.get(d.keyId);
    if (key === undefined || !digestSignatureValid(d, key))
      return fail({
        kind: 'digest_signature_invalid',
        seq: d.headSeq,
        message: `the digest of row ${d.headSeq} (signed ${d.signedAt.toISOString()}) has no valid signature`,
      });
    if (d.headSeq > lastSeq)
      return fail({
        kind: 'truncated',
        seq: lastSeq + 1,
        message: `a digest signed row ${d.headSeq} but the chain ends at ${lastSeq}`,
      });
    if (d.headSeq >= firstSeq && wanted.get(d.headSeq) !== d.headHash)
      return fail({
        kind: 'digest_mismatch',
        seq: d.headSeq,
        message: `row ${d.headSeq} is not the row its signed digest names (chain rewritten)`,
      });
  }
  return {
    ok: true,
    rows,
    head: rows > 0 || input.start ? { seq: lastSeq, hash: prev } : null,
    digests: input.digests.length,
  };
}
