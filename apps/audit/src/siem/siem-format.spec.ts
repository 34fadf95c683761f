import type { AuditEventV1 } from '@modelgate/contracts';
import { describe, expect, it } from 'vitest';
import { cefHeader, cefValue, octetFrame, toCef, toHecEvent, toSyslog } from './siem-format';

const event: AuditEventV1 = {
  seq: 7,
  id: '0b6f2b44-8d0a-4c3e-9d7e-8c4f6b1a2d3e',
  source: 'decision',
  occurred_at: '2026-12-01T10:00:00.000Z',
  ingested_at: '2026-12-01T10:00:00.100Z',
  principal_id: 'evil|name=x\\y\r\nrt=0',
  principal_type: 'user',
  model: 'm|x',
  operation: 'infer|op\\',
  decision: 'deny',
  reason: 'no_matching_rule',
  record: { source_ip: '10.0.0.1', rule_id: null, request_id: 'r1', trace_id: 't1', policy_version: 2 },
  prev_hash: '0'.repeat(64),
  hash: 'a'.repeat(64),
};

/** Splits the seven header fields off a CEF line (escape-aware); the rest is the extension. */
function parseCef(line: string): { header: string[]; extension: string } {
  const header: string[] = [];
  let field = '';
  let i = 0;
  for (; i < line.length && header.length < 7; i++) {
    const c = line[i]!;
    if (c === '\\') field += line[++i] ?? '';
    else if (c === '|') {
      header.push(field);
      field = '';
    } else field += c;
  }
  return { header, extension: line.slice(i) };
}

/** Splits a CEF extension the way a CEF parser does: unescaped spaces before `key=`. */
function parseExtension(ext: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of ext.matchAll(/(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)/g)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_all, c: string) => (c === 'r' ? '\r' : c === 'n' ? '\n' : c));
  }
  return out;
}

describe('CEF', () => {
  it('escapes the header (backslash, pipe) and the extension (backslash, equals, CR, LF)', () => {
    expect(cefHeader('a|b\\c\nd')).toBe('a\\|b\\\\c d');
    expect(cefValue('a=b\\c\r\nd|e')).toBe('a\\=b\\\\c\\r\\nd|e');
  });

  it('keeps hostile values inside their field', () => {
    const cef = toCef(event);
    expect(cef).not.toMatch(/[\r\n]/);
    const { header, extension } = parseCef(cef);
    expect(header).toEqual([
      'CEF:0',
      'Modelgate',
      'modelgate-audit',
      '1',
      'infer|op\\',
      'infer|op\\ deny',
      '5',
    ]);
    const ext = parseExtension(extension);
    expect(ext['suser']).toBe(event.principal_id);
    expect(ext['cs1']).toBe('m|x');
    expect(ext['rt']).toBe(String(Date.parse(event.occurred_at)));
    expect(ext['src']).toBe('10.0.0.1');
    expect(ext['cs2']).toBeUndefined();
  });

  it('leaves out a source address that is not an IP', () => {
    expect(toCef({ ...event, record: { source_ip: '1.2.3.4 src=6.6.6.6' } })).not.toContain('src=');
  });
});

describe('syslog', () => {
  it('writes RFC 5424 with octet counting in bytes', () => {
    const msg = toSyslog({ ...event, principal_id: 'ünïcødé' }, 'host');
    expect(msg).toMatch(/^<108>1 2026-12-01T10:00:00.100Z host modelgate-audit \d+ decision - CEF:0\|/);
    const frame = octetFrame(msg);
    const space = frame.indexOf(0x20);
    expect(Number(frame.subarray(0, space).toString())).toBe(frame.length - space - 1);
    expect(Buffer.byteLength(msg)).toBeGreaterThan(msg.length);
  });
});

describe('HEC / ECS', () => {
  it('maps to ECS names and survives JSON round trips', () => {
    const hec = toHecEvent(event, 'h');
    expect(hec).toMatchObject({
      time: Date.parse(event.occurred_at) / 1000,
      event: {
        event: { id: event.id, action: event.operation, outcome: 'failure', sequence: 7 },
        user: { id: event.principal_id },
        source: { ip: '10.0.0.1' },
        trace: { id: 't1' },
      },
    });
    expect(JSON.parse(JSON.stringify(hec))).toMatchObject({ event: { user: { id: event.principal_id } } });
  });
});

describe("the gateway's refusals", () => {
  const refusal: AuditEventV1 = {
    ...event,
    principal_id: null,
    principal_type: null,
    model: null,
    operation: 'view',
    reason: 'unauthenticated',
    record: {
      principal: null,
      model: '',
      source_ip: '203.0.113.9',
      rule_id: null,
      request_id: 'r2',
      detail: 'credential refused: expired=yes\r\n',
      policy_version: 0,
    },
  };

  it('leave absent fields out of CEF (no suser, no model) and carry the detail in msg', () => {
    const { header, extension } = parseCef(toCef(refusal));
    expect(header[5]).toBe('view deny');
    expect(header[6]).toBe('5');
    const ext = parseExtension(extension);
    expect(ext).not.toHaveProperty('suser');
    expect(ext).not.toHaveProperty('cs1');
    expect(ext).not.toHaveProperty('cs1Label');
    expect(ext).not.toHaveProperty('cs2Label');
    expect(ext).toMatchObject({
      outcome: 'deny',
      reason: 'unauthenticated',
      src: '203.0.113.9',
      cs3: 'r2',
      msg: 'credential refused: expired=yes\r\n',
    });
    expect(extension).not.toMatch(/[\r\n]|(^| )\w+= /);
  });

  it('have no ECS user and say why in message', () => {
    const hec = JSON.parse(JSON.stringify(toHecEvent(refusal))) as { event: Record<string, unknown> };
    expect(hec.event['user']).toBeUndefined();
    expect(hec.event).toMatchObject({
      event: { outcome: 'failure', reason: 'unauthenticated', action: 'view' },
      source: { ip: '203.0.113.9' },
      message: 'credential refused: expired=yes\r\n',
      modelgate: { model: null },
    });
  });
});
