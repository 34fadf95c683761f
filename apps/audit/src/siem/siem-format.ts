import { hostname } from 'node:os';
import { isIP } from 'node:net';
import type { AuditEventV1 } from '@modelgate/contracts';

// CEF (ArcSight Common Event Format, rev. 25) inside RFC 5424 syslog, framed for TCP by
// octet counting (RFC 6587 §3.4.1); and Splunk HEC events with ECS field names.

/** CEF header fields: backslash and pipe escaped; a header cannot hold a line break, so CR/LF become spaces. */
export function cefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ');
}

/** CEF extension values: backslash and equals escaped, CR and LF written as `\r` and `\n`. */
export function cefValue(value: string): string {
  return value.replace(/[\\=\r\n]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\${c}`));
}

const str = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;

const present = (v: string | null): v is string => v !== null && v !== '';

/** A custom CEF field with its label, or nothing when the value is absent. */
function custom(key: string, label: string, value: string | null): [string, string][] {
  return present(value)
    ? [
        [`${key}Label`, label],
        [key, value],
      ]
    : [];
}

function severity(e: AuditEventV1): number {
  if (e.decision === 'deny') return 5;
  if (e.decision === 'allow') return 1;
  return 3; // admin change
}

/** One audit event as a CEF line (no trailing newline). */
export function toCef(e: AuditEventV1, version = '1'): string {
  const name = e.decision ? `${e.operation} ${e.decision}` : e.operation;
  const r = e.record;
  const ext: [string, string | null][] = [
    ['rt', String(Date.parse(e.occurred_at))],
    ['externalId', e.id],
    ['cat', e.source],
    ['suser', e.principal_id],
    ['act', e.operation],
    ['outcome', e.decision],
    ['reason', e.reason],
    ...custom('cs1', 'model', e.model),
    ...custom('cs2', 'rule_id', str(r['rule_id'])),
    ...custom('cs3', 'request_id', str(r['request_id'])),
    ...custom('cn1', 'seq', String(e.seq)),
    // Why a refusal was made (`credential refused: ...`, the field of an invalid request).
    ['msg', str(r['detail'])],
  ];
  const ip = str(r['source_ip']);
  if (ip !== null && isIP(ip) !== 0) ext.push(['src', ip]);
  // An absent value is left out, never written as `key=` (an unauthenticated attempt has
  // no `suser`; a refusal naming no model has no `cs1`).
  const extension = ext
    .filter((kv): kv is [string, string] => present(kv[1]))
    .map(([k, v]) => `${k}=${cefValue(v)}`)
    .join(' ');
  return [
    'CEF:0',
    'Modelgate',
    'modelgate-audit',
    cefHeader(version),
    cefHeader(e.operation),
    cefHeader(name),
    String(severity(e)),
    extension,
  ].join('|');
}

/** PRINTUSASCII without spaces, as RFC 5424 wants header fields; '-' when empty. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

const HOST = headerField(hostname(), 255);
/** Facility 13 (log audit); notice for allow and admin changes, warning for deny. */
const pri = (e: AuditEventV1) => 13 * 8 + (e.decision === 'deny' ? 4 : 5);

/** An RFC 5424 message carrying the CEF line: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`. */
export function toSyslog(e: AuditEventV1, host = HOST): string {
  return `<${pri(e)}>1 ${e.ingested_at} ${host} modelgate-audit ${process.pid} ${headerField(e.source, 32)} - ${toCef(e)}`;
}

/** RFC 6587 octet counting: the message's length in bytes (UTF-8), a space, the message. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/** A Splunk HEC event (`/services/collector/event`) whose `event` uses ECS field names. */
export function toHecEvent(e: AuditEventV1, host = HOST): Record<string, unknown> {
  const r = e.record;
  const ip = str(r['source_ip']);
  return {
    time: Date.parse(e.occurred_at) / 1000,
    host,
    source: 'modelgate-audit',
    sourcetype: '_json',
    event: {
      '@timestamp': e.occurred_at,
      event: {
        id: e.id,
        kind: 'event',
        category: e.source === 'decision' ? ['authentication', 'iam'] : ['configuration', 'iam'],
        type: e.source === 'decision' ? ['access'] : ['change'],
        action: e.operation,
        outcome: e.decision === 'allow' ? 'success' : e.decision === 'deny' ? 'failure' : 'unknown',
        reason: e.reason,
        sequence: e.seq,
        ingested: e.ingested_at,
        dataset: `modelgate.${e.source}`,
      },
      user:
        e.principal_id === null
          ? undefined
          : { id: e.principal_id, roles: (r['principal'] as { roles?: unknown } | null)?.roles },
      source: ip !== null && isIP(ip) !== 0 ? { ip } : undefined,
      trace: str(r['trace_id']) ? { id: str(r['trace_id']) } : undefined,
      http: str(r['request_id']) ? { request: { id: str(r['request_id']) } } : undefined,
      rule: str(r['rule_id']) ? { id: str(r['rule_id']) } : undefined,
      message: str(r['detail']) ?? undefined,
      modelgate: { model: e.model, policy_version: r['policy_version'] ?? null, hash: e.hash },
    },
  };
}
