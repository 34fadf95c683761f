import type { AuditVerifyResultV1 } from '@modelgate/contracts';
import type { AuditLogRepository } from '../storage/audit-log.repository';
import { verifyChain } from './chain-verifier';

/** Verifies the stored chain from where retention left it, against every signed digest. */
export async function verifyAuditChain(repository: AuditLogRepository): Promise<AuditVerifyResultV1> {
  const [retention, digests, keys] = await Promise.all([
    repository.retentionLog(),
    repository.digests(),
    repository.signingKeys(),
  ]);
  const last = retention.at(-1);
  return verifyChain({
    rows: repository.chain(),
    start: last ? { lastSeq: last.lastSeq, lastHash: last.lastHash } : null,
    digests,
    publicKeys: new Map(keys.map((k) => [k.keyId, k.publicKey])),
  });
}
