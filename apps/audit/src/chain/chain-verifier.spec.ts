import type { AuditEventV1 } from '@modelgate/contracts';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, rowHash } from './chain-hash';
import { verifyChain } from './chain-verifier';
import { DigestSigner } from './digest-signer';

function chain(n: number, start = { lastSeq: 0, lastHash: GENESIS_HASH }): AuditEventV1[] {
  const rows: AuditEventV1[] = [];
  let prev = start.lastHash;
  for (let i = 1; i <= n; i++) {
    const seq = start.lastSeq + i;
    const base = {
      seq,
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      source: 'decision' as const,
      occurred_at: '2026-12-01T10:00:00.000Z',
      ingested_at: '2026-12-01T10:00:01.000Z',
      principal_id: `p${seq}`,
      principal_type: 'user',
      model: 'm',
      operation: 'infer',
      decision: 'allow' as const,
      reason: 'allowed',
      record: { n: seq },
      prev_hash: prev,
    };
    const hash = rowHash({
      ...base,
      occurredAt: base.occurred_at,
      ingestedAt: base.ingested_at,
      principalId: base.principal_id,
      principalType: base.principal_type,
      prevHash: prev,
    });
    rows.push({ ...base, hash });
    prev = hash;
  }
  return rows;
}

const signer = DigestSigner.generate();
const keys = new Map([[signer.keyId, signer.publicKeyPem]]);
const verify = (
  rows: AuditEventV1[],
  digests = [] as ReturnType<DigestSigner['sign']>[],
  start = null as null | { lastSeq: number; lastHash: string },
) => verifyChain({ rows, start, digests, publicKeys: keys });

describe('verifyChain', () => {
  it('accepts an intact chain and its digests', async () => {
    const rows = chain(5);
    const d = signer.sign(5, rows[4]!.hash, new Date());
    expect(await verify(rows, [d])).toEqual({
      ok: true,
      rows: 5,
      head: { seq: 5, hash: rows[4]!.hash },
      digests: 1,
    });
    expect(await verify([])).toMatchObject({ ok: true, rows: 0, head: null });
  });

  it('finds an edited row', async () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, decision: 'deny' };
    expect(await verify(rows)).toMatchObject({ ok: false, problem: { kind: 'hash_mismatch', seq: 3 } });
  });

  it('finds an edited row whose hash was recomputed (the next link breaks)', async () => {
    const rows = chain(5);
    const edited = { ...rows[2]!, reason: 'x' };
    rows[2] = {
      ...edited,
      hash: rowHash({
        ...edited,
        occurredAt: edited.occurred_at,
        ingestedAt: edited.ingested_at,
        principalId: edited.principal_id,
        principalType: edited.principal_type,
        prevHash: edited.prev_hash,
      }),
    };
    expect(await verify(rows)).toMatchObject({ ok: false, problem: { kind: 'broken_link', seq: 4 } });
  });

  it('finds a missing row and swapped rows', async () => {
    const rows = chain(5);
    expect(await verify([...rows.slice(0, 2), ...rows.slice(3)])).toMatchObject({
      ok: false,
      problem: { kind: 'missing_row', seq: 3 },
    });
    const swapped = [rows[0]!, { ...rows[2]!, seq: 2 }, { ...rows[1]!, seq: 3 }, rows[3]!, rows[4]!];
    expect(await verify(swapped)).toMatchObject({ ok: false, problem: { kind: 'broken_link', seq: 2 } });
    const contentsSwapped = [rows[0]!, rows[2]!, rows[1]!];
    expect(await verify(contentsSwapped)).toMatchObject({
      ok: false,
      problem: { kind: 'missing_row', seq: 2 },
    });
  });

  it('finds a cut-off end, a rewritten chain and a forged digest', async () => {
    const rows = chain(5);
    const d = signer.sign(5, rows[4]!.hash, new Date());
    expect(await verify(rows.slice(0, 3), [d])).toMatchObject({
      ok: false,
      problem: { kind: 'truncated', seq: 4 },
    });
    const rewritten = chain(5);
    rewritten[4] = { ...rewritten[4]!, hash: 'a'.repeat(64) };
    expect(await verify(rows, [{ ...d, headHash: 'b'.repeat(64) }])).toMatchObject({
      ok: false,
      problem: { kind: 'digest_signature_invalid' },
    });
    const other = DigestSigner.generate().sign(5, 'c'.repeat(64), new Date());
    expect(
      await verifyChain({
        rows,
        start: null,
        digests: [other],
        publicKeys: new Map([[other.keyId, DigestSigner.generate().publicKeyPem]]),
      }),
    ).toMatchObject({
      ok: false,
      problem: { kind: 'digest_signature_invalid' },
    });
    const wrong = signer.sign(5, 'c'.repeat(64), new Date());
    expect(await verify(rows, [wrong])).toMatchObject({
      ok: false,
      problem: { kind: 'digest_mismatch', seq: 5 },
    });
  });

  it('starts after the retained prefix', async () => {
    const all = chain(6);
    const start = { lastSeq: 3, lastHash: all[2]!.hash };
    expect(await verify(all.slice(3), [], start)).toMatchObject({ ok: true, rows: 3, head: { seq: 6 } });
    expect(await verify(all.slice(4), [], start)).toMatchObject({
      ok: false,
      problem: { kind: 'missing_row', seq: 4 },
    });
  });
});
