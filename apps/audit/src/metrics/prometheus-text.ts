// The Prometheus text exposition format (version 0.0.4), written from a snapshot taken when
// scraped: the audit service's figures already live in the objects that own them (ingest
// stats, forwarder status), so there is no registry to keep in step, only a renderer.

export type MetricType = 'counter' | 'gauge';

export interface Sample {
  readonly labels?: Readonly<Record<string, string | number>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly samples: readonly Sample[];
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and line feed; nothing else is special. */
export function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text escapes backslash and line feed. */
function helpText(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * Renders the families in order. A malformed metric or label name is a programming error
 * (names are literals here), so it throws instead of writing text a scraper would reject whole.
 */
export function renderPrometheusText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name "${f.name}"`);
    lines.push(`# HELP ${f.name} ${helpText(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const entries = Object.entries(s.labels ?? {});
      for (const [k] of entries)
        if (!LABEL_NAME.test(k) || k.startsWith('__'))
          throw new Error(`invalid label name "${k}" on ${f.name}`);
      const labels = entries.length
        ? `{${entries.map(([k, v]) => `${k}="${labelValue(String(v))}"`).join(',')}}`
        : '';
      lines.push(`${f.name}${labels} ${sampleValue(s.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
