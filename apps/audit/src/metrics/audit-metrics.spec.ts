import { describe, expect, it } from 'vitest';
import type { IngestStats } from '../ingest/audit-ingest.consumer';
import { ExportStats, renderAuditMetrics, type AuditMetricsSnapshot } from './audit-metrics';
import { labelValue, renderPrometheusText } from './prometheus-text';

const ingest = (over: Partial<IngestStats> = {}): IngestStats => ({
  inserted: 0,
  duplicates: 0,
  deadLettered: 0,
  batches: 0,
  lastRecordTime: null,
  lastCommitAt: null,
  lagMs: null,
  headSeq: null,
  offsetLag: new Map(),
  ...over,
});

const snapshot = (over: Partial<AuditMetricsSnapshot> = {}): AuditMetricsSnapshot => ({
  ingest: { enabled: true, running: true, stats: ingest() },
  forwarders: [],
  exports: new ExportStats(),
  maintenance: {
    partitionsDropped: 0,
    recordIdsForgotten: 0,
    digestsSigned: 0,
    failures: 0,
    lastUpkeepAt: null,
  },
  ...over,
});

/** `name{labels}` → value, from exposition text. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('Prometheus text', () => {
  it('escapes label values (backslash, quote, line feed) and keeps every other character', () => {
    expect(labelValue('a\\b"c\nd|e=f')).toBe('a\\\\b\\"c\\nd|e=f');
    const text = renderPrometheusText([
      {
        name: 'x_total',
        type: 'counter',
        help: 'line\nbreak \\ here',
        samples: [{ labels: { forwarder: 'syslog:"evil"\n}' }, value: 2 }, { value: Infinity }],
      },
    ]);
    expect(text).toBe(
      '# HELP x_total line\\nbreak \\\\ here\n# TYPE x_total counter\nx_total{forwarder="syslog:\\"evil\\"\\n}"} 2\nx_total +Inf\n',
    );
  });

  it('refuses metric and label names a scraper would reject', () => {
    const family = (name: string, label = 'ok') => ({
      name,
      type: 'gauge' as const,
      help: 'h',
      samples: [{ labels: { [label]: 'v' }, value: 1 }],
    });
    expect(() => renderPrometheusText([family('bad-name')])).toThrow(/invalid metric name/);
    expect(() => renderPrometheusText([family('good', 'bad label')])).toThrow(/invalid label name/);
    expect(() => renderPrometheusText([family('good', '__reserved')])).toThrow(/invalid label name/);
  });
});

describe('audit metrics', () => {
  it('leaves out what was never measured instead of showing 0 (which reads as no lag)', () => {
    const m = samples(renderAuditMetrics(snapshot()));
    expect(m.has('audit_ingest_lag_seconds')).toBe(false);
    expect(m.has('audit_chain_head_seq')).toBe(false);
    expect(m.get('audit_ingest_running')).toBe(1);
    expect(m.get('audit_ingest_records_total{result="inserted"}')).toBe(0);
    const off = samples(
      renderAuditMetrics(snapshot({ ingest: { enabled: false, running: false, stats: ingest() } })),
    );
    expect(off.has('audit_ingest_running')).toBe(false);
  });

  it('shows ingest, every forwarder and export by its labels', () => {
    const exports = new ExportStats();
    exports.record('csv', 'completed', 1_000);
    exports.record('csv', 'aborted', 64);
    exports.record('ndjson', 'completed', 5);
    const text = renderAuditMetrics(
      snapshot({
        ingest: {
          enabled: true,
          running: false,
          stats: ingest({
            inserted: 10,
            duplicates: 2,
            deadLettered: 1,
            batches: 3,
            lagMs: 1_500,
            lastCommitAt: 1_700_000_000_000,
            headSeq: 10,
            offsetLag: new Map([
              ['t:1', { topic: 't', partition: 1, lag: 7 }],
              ['t:0', { topic: 't', partition: 0, lag: 0 }],
            ]),
          }),
        },
        forwarders: [
          {
            forwarder: 'syslog:127.0.0.1:6514',
            position: 4,
            head: 10,
            lagRecords: 6,
            lagMs: 2_500,
            failures: 9,
            consecutiveFailures: 3,
            forwarded: 4,
          },
          {
            forwarder: 'http:siem:8088',
            position: 10,
            head: 10,
            lagRecords: 0,
            lagMs: 0,
            failures: 0,
            consecutiveFailures: 0,
            forwarded: 10,
          },
        ],
        exports,
      }),
    );
    const m = samples(text);
    expect(m.get('audit_ingest_running')).toBe(0);
    expect(m.get('audit_ingest_records_total{result="duplicate"}')).toBe(2);
    expect(m.get('audit_ingest_records_total{result="dead_lettered"}')).toBe(1);
    expect(m.get('audit_ingest_lag_seconds')).toBe(1.5);
    expect(m.get('audit_ingest_last_commit_timestamp_seconds')).toBe(1_700_000_000);
    expect(m.get('audit_ingest_offset_lag{topic="t",partition="1"}')).toBe(7);
    expect(text.indexOf('partition="0"')).toBeLessThan(text.indexOf('partition="1"'));
    expect(m.get('audit_siem_pending_records{forwarder="syslog:127.0.0.1:6514"}')).toBe(6);
    expect(m.get('audit_siem_lag_seconds{forwarder="syslog:127.0.0.1:6514"}')).toBe(2.5);
    expect(m.get('audit_siem_consecutive_failures{forwarder="syslog:127.0.0.1:6514"}')).toBe(3);
    expect(m.get('audit_siem_lag_seconds{forwarder="http:siem:8088"}')).toBe(0);
    expect(m.get('audit_exports_total{format="csv",outcome="aborted"}')).toBe(1);
    expect(m.get('audit_exports_total{format="ndjson",outcome="aborted"}')).toBe(0);
    expect(m.get('audit_export_rows_total{format="csv"}')).toBe(1_064);
    // Every family is declared once, before its samples.
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });
});
