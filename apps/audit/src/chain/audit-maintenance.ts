import type { Logger } from '@modelgate/telemetry';
import type { AuditLogRepository } from '../storage/audit-log.repository';
import { DigestSigner } from './digest-signer';

export interface MaintenanceOptions {
  readonly signingKeyPem: string | undefined;
  readonly digestIntervalMs: number;
  readonly retentionDays: number;
  readonly partitionsAheadDays: number;
  readonly maintenanceIntervalMs: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** What upkeep and signing did since start (the metrics endpoint shows them). */
export interface MaintenanceStats {
  partitionsDropped: number;
  recordIdsForgotten: number;
  digestsSigned: number;
  /** Upkeep or signing runs that threw (each is logged). */
  failures: number;
  /** When upkeep last completed (ms since epoch). */
  lastUpkeepAt: number | null;
}

/**
 * Keeps the trail in shape: day partitions created ahead, old ones dropped (retention),
 * and the chain head signed every digest interval when it moved.
 */
export class AuditMaintenance {
  private signer: DigestSigner | null = null;
  private lastSignedSeq = -1;
  private timers: NodeJS.Timeout[] = [];
  readonly stats: MaintenanceStats = {
    partitionsDropped: 0,
    recordIdsForgotten: 0,
    digestsSigned: 0,
    failures: 0,
    lastUpkeepAt: null,
  };

  constructor(
    private readonly repository: AuditLogRepository,
    private readonly options: MaintenanceOptions,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Partitions and the signing key must exist before the first row is ingested. */
  async start(): Promise<void> {
    this.signer = await this.loadSigner();
    await this.upkeep();
    const digests = await this.repository.digests();
    this.lastSignedSeq = digests.at(-1)?.headSeq ?? -1;
    this.timers.push(
      setInterval(
        () => void this.upkeep().catch((err: unknown) => this.failed(err, 'audit upkeep failed')),
        this.options.maintenanceIntervalMs,
      ),
      setInterval(
        () => void this.signHead().catch((err: unknown) => this.failed(err, 'audit digest failed')),
        this.options.digestIntervalMs,
      ),
    );
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  async upkeep(): Promise<void> {
    const created = await this.repository.ensurePartitions(this.options.partitionsAheadDays);
    if (created.length > 0) this.logger.info({ partitions: created }, 'audit partitions created');
    if (this.options.retentionDays > 0) {
      const cutoff = new Date(this.now().getTime() - this.options.retentionDays * DAY_MS);
      const { dropped, forgottenIds } = await this.repository.applyRetention(cutoff);
      this.stats.partitionsDropped += dropped.length;
      this.stats.recordIdsForgotten += forgottenIds;
      if (dropped.length > 0 || forgottenIds > 0)
        this.logger.info({ dropped, forgotten_ids: forgottenIds, cutoff }, 'audit retention applied');
    }
    this.stats.lastUpkeepAt = this.now().getTime();
  }

  /** Signs the head if it moved since the last digest; returns whether it signed. */
  async signHead(): Promise<boolean> {
    if (!this.signer) throw new Error('maintenance not started');
    const head = await this.repository.head();
    if (head.seq === 0 || head.seq === this.lastSignedSeq) return false;
    await this.repository.insertDigest(this.signer.sign(head.seq, head.hash, this.now()));
    this.lastSignedSeq = head.seq;
    this.stats.digestsSigned += 1;
    return true;
  }

  private failed(err: unknown, message: string): void {
    this.stats.failures += 1;
    this.logger.error({ err }, message);
  }

  private async loadSigner(): Promise<DigestSigner> {
    if (this.options.signingKeyPem !== undefined) {
      const signer = DigestSigner.fromPem(this.options.signingKeyPem);
      await this.repository.saveSigningKey(signer.keyId, signer.publicKeyPem, null);
      return signer;
    }
    const stored = (await this.repository.signingKeys()).filter((k) => k.privateKey !== null).at(-1);
    if (stored?.privateKey) return DigestSigner.fromPem(stored.privateKey);
    const signer = DigestSigner.generate();
    await this.repository.saveSigningKey(signer.keyId, signer.publicKeyPem, signer.privateKeyPem);
    this.logger.warn(
      { key_id: signer.keyId },
      'audit: no AUDIT_SIGNING_KEY; generated a digest key and stored it in the database',
    );
    // Two instances starting together may both generate: use whichever was stored first.
    const first = (await this.repository.signingKeys()).filter((k) => k.privateKey !== null)[0];
    return first?.privateKey ? DigestSigner.fromPem(first.privateKey) : signer;
  }
}
