// What `GET /metrics` shows: ingest (records, lag, Kafka offsets behind), each SIEM
// forwarder (position, pending rows, lag, failures), exports and maintenance. Each figure
// is read from the object that owns it when scraped; this module only names and renders them.
import type { MaintenanceStats } from '../chain/audit-maintenance';
import type { IngestStats } from '../ingest/audit-ingest.consumer';
import type { SiemForwarderStatus } from '../siem/siem-forwarder';
import { renderPrometheusText, type MetricFamily, type Sample } from './prometheus-text';

export type ExportFormat = 'csv' | 'ndjson';
/** `completed`: every row sent; `aborted`: the client went away or the read failed. */
export type ExportOutcome = 'completed' | 'aborted';

/** Counts of exports by format and outcome, and rows sent; the controller records them. */
export class ExportStats {
  private readonly runs = new Map<string, number>();
  private readonly rows = new Map<ExportFormat, number>();

  record(format: ExportFormat, outcome: ExportOutcome, rows: number): void {
    const key = `${format}:${outcome}`;
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
    this.rows.set(format, (this.rows.get(format) ?? 0) + rows);
  }

  exports(format: ExportFormat, outcome: ExportOutcome): number {
    return this.runs.get(`${format}:${outcome}`) ?? 0;
  }

  rowsSent(format: ExportFormat): number {
    return this.rows.get(format) ?? 0;
  }
}

export interface AuditMetricsSnapshot {
  readonly ingest: { readonly enabled: boolean; readonly running: boolean; readonly stats: IngestStats };
  readonly forwarders: readonly SiemForwarderStatus[];
  readonly exports: ExportStats;
  readonly maintenance: MaintenanceStats;
}

const seconds = (ms: number) => ms / 1000;
const FORMATS: readonly ExportFormat[] = ['csv', 'ndjson'];
const OUTCOMES: readonly ExportOutcome[] = ['completed', 'aborted'];

function perForwarder(
  forwarders: readonly SiemForwarderStatus[],
  value: (f: SiemForwarderStatus) => number,
): Sample[] {
  return forwarders.map((f) => ({ labels: { forwarder: f.forwarder }, value: value(f) }));
}

/**
 * The families in a fixed order. A value never measured yet (no batch stored, no
 * upkeep run) is left out rather than shown as 0, which would read as "no lag".
 */
export function auditMetricFamilies(s: AuditMetricsSnapshot): MetricFamily[] {
  const i = s.ingest.stats;
  const optional = (value: number | null): Sample[] => (value === null ? [] : [{ value }]);
  return [
    {
      name: 'audit_ingest_running',
      type: 'gauge',
      help: 'Whether the ingest consumer runs (1), is stopped (0); absent when INGEST_ENABLED=false.',
      samples: s.ingest.enabled ? [{ value: s.ingest.running ? 1 : 0 }] : [],
    },
    {
      name: 'audit_ingest_records_total',
      type: 'counter',
      help: 'Kafka records handled by ingest: inserted into the trail, skipped as already stored, or dead-lettered.',
      samples: [
        { labels: { result: 'inserted' }, value: i.inserted },
        { labels: { result: 'duplicate' }, value: i.duplicates },
        { labels: { result: 'dead_lettered' }, value: i.deadLettered },
      ],
    },
    {
      name: 'audit_ingest_batches_total',
      type: 'counter',
      help: 'Batches stored, one Postgres transaction each.',
      samples: [{ value: i.batches }],
    },
    {
      name: 'audit_ingest_lag_seconds',
      type: 'gauge',
      help: "Seconds from the oldest record's own time to the commit of its row, in the last batch stored.",
      samples: optional(i.lagMs === null ? null : seconds(i.lagMs)),
    },
    {
      name: 'audit_ingest_last_commit_timestamp_seconds',
      type: 'gauge',
      help: 'When the last batch committed (Unix time).',
      samples: optional(i.lastCommitAt === null ? null : seconds(i.lastCommitAt)),
    },
    {
      name: 'audit_ingest_offset_lag',
      type: 'gauge',
      help: "Messages between a partition's last batch and its high watermark when that batch was fetched.",
      samples: [...i.offsetLag.values()]
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
        .map((p) => ({ labels: { topic: p.topic, partition: p.partition }, value: p.lag })),
    },
    {
      name: 'audit_chain_head_seq',
      type: 'gauge',
      help: 'Seq of the chain head after the last batch this process stored.',
      samples: optional(i.headSeq),
    },
    {
      name: 'audit_siem_position_seq',
      type: 'gauge',
      help: 'Last seq the SIEM receiver acknowledged (as far as its transport can tell).',
      samples: perForwarder(s.forwarders, (f) => f.position),
    },
    {
      name: 'audit_siem_pending_records',
      type: 'gauge',
      help: 'Rows of the trail not forwarded to the SIEM yet.',
      samples: perForwarder(s.forwarders, (f) => f.lagRecords),
    },
    {
      name: 'audit_siem_lag_seconds',
      type: 'gauge',
      help: 'Age of the oldest row not forwarded yet (0 when caught up).',
      samples: perForwarder(s.forwarders, (f) => seconds(f.lagMs)),
    },
    {
      name: 'audit_siem_forwarded_total',
      type: 'counter',
      help: 'Events sent to the SIEM since start (at least once: a resend counts again).',
      samples: perForwarder(s.forwarders, (f) => f.forwarded),
    },
    {
      name: 'audit_siem_failures_total',
      type: 'counter',
      help: 'Failed attempts to read and send a batch since start.',
      samples: perForwarder(s.forwarders, (f) => f.failures),
    },
    {
      name: 'audit_siem_consecutive_failures',
      type: 'gauge',
      help: 'Failed attempts since the last success: above 0 while the receiver is unreachable.',
      samples: perForwarder(s.forwarders, (f) => f.consecutiveFailures),
    },
    {
      name: 'audit_exports_total',
      type: 'counter',
      help: 'Exports by format and outcome (aborted: the client went away or the read failed).',
      samples: FORMATS.flatMap((format) =>
        OUTCOMES.map((outcome) => ({
          labels: { format, outcome },
          value: s.exports.exports(format, outcome),
        })),
      ),
    },
    {
      name: 'audit_export_rows_total',
      type: 'counter',
      help: 'Rows sent by exports.',
      samples: FORMATS.map((format) => ({ labels: { format }, value: s.exports.rowsSent(format) })),
    },
    {
      name: 'audit_retention_partitions_dropped_total',
      type: 'counter',
      help: 'Day partitions of the trail dropped by retention since start.',
      samples: [{ value: s.maintenance.partitionsDropped }],
    },
    {
      name: 'audit_retention_record_ids_forgotten_total',
      type: 'counter',
      help: 'Dedupe keys deleted by retention (ids of rows no longer in the trail) since start.',
      samples: [{ value: s.maintenance.recordIdsForgotten }],
    },
    {
      name: 'audit_digests_signed_total',
      type: 'counter',
      help: 'Signed digests of the chain head written since start.',
      samples: [{ value: s.maintenance.digestsSigned }],
    },
    {
      name: 'audit_maintenance_failures_total',
      type: 'counter',
      help: 'Upkeep (partitions, retention) or digest runs that failed since start.',
      samples: [{ value: s.maintenance.failures }],
    },
    {
      name: 'audit_maintenance_last_upkeep_timestamp_seconds',
      type: 'gauge',
      help: 'When partition upkeep and retention last completed (Unix time).',
      samples: optional(s.maintenance.lastUpkeepAt === null ? null : seconds(s.maintenance.lastUpkeepAt)),
    },
  ];
}

export function renderAuditMetrics(snapshot: AuditMetricsSnapshot): string {
  return renderPrometheusText(auditMetricFamilies(snapshot));
}
