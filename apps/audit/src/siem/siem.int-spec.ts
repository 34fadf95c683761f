// SIEM forwarding against a real TCP syslog receiver (parsing RFC 6587 octet-counted frames)
// that drops the first connection mid-stream, and an HTTP HEC receiver that fails first:
// every row arrives at least once, hostile values intact inside their CEF / JSON fields.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataSource } from '@modelgate/event-store';
import { createLogger } from '@modelgate/telemetry';
import { createTestDatabase, type TestDatabase } from '@modelgate/testing';
import { newAuditRecord } from '../records/audit-record';
import { AUDIT_MIGRATIONS } from '../storage/audit-migrations';
import { AuditLogRepository } from '../storage/audit-log.repository';
import { SiemPositionRepository } from '../storage/siem-position.repository';
import { SiemForwarder } from './siem-forwarder';
import { HecTransport, SyslogTransport } from './siem-transports';

const logger = createLogger('siem-test', 'silent');
const HOSTILE = '=cmd|x\\y=z\r\nCEF:0|fake|hdr @-+\t"quoted"';
const N = 300;

/** Parses octet-counted frames off a byte stream (RFC 6587 §3.4.1). */
class FrameParser {
  private buf = Buffer.alloc(0);
  constructor(private readonly onFrame: (frame: string) => void) {}
  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const space = this.buf.indexOf(0x20);
      if (space < 0) return;
      const len = Number(this.buf.subarray(0, space).toString('ascii'));
      if (!Number.isInteger(len) || len <= 0)
        throw new Error(`bad frame length ${this.buf.subarray(0, space).toString()}`);
      if (this.buf.length < space + 1 + len) return;
      this.onFrame(this.buf.subarray(space + 1, space + 1 + len).toString('utf8'));
      this.buf = this.buf.subarray(space + 1 + len);
    }
  }
}

function cefExtension(frame: string): Record<string, string> {
  const cef = frame.slice(frame.indexOf('CEF:0|'));
  let pipes = 0;
  let i = 0;
  for (; i < cef.length && pipes < 7; i++) {
    if (cef[i] === '\\') i++;
    else if (cef[i] === '|') pipes++;
  }
  const out: Record<string, string> = {};
  for (const m of cef.slice(i).matchAll(/(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)/g))
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_a, c: string) => (c === 'r' ? '\r' : c === 'n' ? '\n' : c));
  return out;
}

describe('SIEM forwarders', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repository: AuditLogRepository;
  let syslog: Server;
  let http: HttpServer;
  const frames: string[] = [];
  const hec: { auth: string | undefined; lines: Record<string, unknown>[] }[] = [];
  let connections = 0;
  let httpCalls = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await openDataSource({ url: db.url, schema: 'audit', migrations: AUDIT_MIGRATIONS });
    await ds.runMigrations({ transaction: 'each' });
    repository = new AuditLogRepository(ds);
    await repository.ensurePartitions(1);
    const records = Array.from({ length: N }, (_, i) =>
      newAuditRecord({
        id: randomUUID(),
        source: 'decision' as const,
        occurredAt: new Date().toISOString(),
        principalId: i === 0 ? HOSTILE : `user${i}@company.com`,
        principalType: 'user',
        model: 'qwen3-7b-chat',
        operation: 'infer',
        decision: i % 2 ? ('allow' as const) : ('deny' as const),
        reason: 'allowed',
        record: { source_ip: '10.0.0.1', request_id: `r${i}` },
      }),
    );
    await repository.append(records);

    syslog = createServer((socket) => {
      const first = ++connections === 1;
      let seen = 0;
      const parser = new FrameParser((f) => {
        frames.push(f);
        // The first connection dies mid-stream, as a receiver restart would do.
        if (first && ++seen === 50) socket.destroy();
      });
      socket.on('data', (chunk) => parser.push(chunk));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => syslog.listen(0, '127.0.0.1', r));
    http = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (++httpCalls === 1) {
          res.writeHead(503).end();
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        hec.push({
          auth: req.headers.authorization,
          lines: body.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
      });
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    syslog?.close();
    http?.close();
    await ds?.destroy();
    await db?.drop();
  });

  const until = async (what: string, ok: () => boolean, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('delivers every row over octet-counted syslog at least once across a dropped connection', async () => {
    const port = (syslog.address() as AddressInfo).port;
    const forwarder = new SiemForwarder(
      new SyslogTransport(new URL(`tcp://127.0.0.1:${port}`), { host: 'audit-test' }),
      repository,
      new SiemPositionRepository(ds),
      { batchSize: 40, pollMs: 20, maxBackoffMs: 200 },
      logger,
    );
    await forwarder.start();
    const seqs = () => new Set(frames.map((f) => Number(cefExtension(f)['cn1'])));
    try {
      await until('every seq', () => seqs().size === N);
      await until('the position to catch up', () => forwarder.status().position === N);
    } finally {
      await forwarder.stop();
    }
    expect(connections).toBeGreaterThanOrEqual(2);
    expect(forwarder.status()).toMatchObject({ position: N, head: N, lagRecords: 0 });
    const first = frames.find((f) => cefExtension(f)['cn1'] === '1')!;
    expect(first).toMatch(
      /^<108>1 \S+ audit-test modelgate-audit \d+ decision - CEF:0\|Modelgate\|modelgate-audit\|1\|infer\|infer deny\|5\|/,
    );
    expect(first).not.toMatch(/[\r\n]/);
    expect(cefExtension(first)['suser']).toBe(HOSTILE);
    // Restarted, it resumes from the saved position: nothing new to send.
    expect(await new SiemPositionRepository(ds).load(`syslog:127.0.0.1:${port}`)).toBe(N);
  });

  it('posts HEC batches with ECS names, retrying a failed batch', async () => {
    const port = (http.address() as AddressInfo).port;
    const forwarder = new SiemForwarder(
      new HecTransport(new URL(`http://127.0.0.1:${port}/services/collector/event`), 'hec-token'),
      repository,
      new SiemPositionRepository(ds),
      { batchSize: 100, pollMs: 20, maxBackoffMs: 200 },
      logger,
    );
    await forwarder.start();
    try {
      await until('every row', () => hec.reduce((n, b) => n + b.lines.length, 0) >= N);
    } finally {
      await forwarder.stop();
    }
    expect(forwarder.status().failures).toBeGreaterThanOrEqual(1);
    expect(hec.every((b) => b.auth === 'Splunk hec-token')).toBe(true);
    const events = hec.flatMap((b) => b.lines);
    expect(
      new Set(events.map((e) => (e['event'] as { event: { sequence: number } }).event.sequence)).size,
    ).toBe(N);
    expect(events[0]).toMatchObject({
      source: 'modelgate-audit',
      event: {
        event: { action: 'infer', outcome: 'failure', sequence: 1 },
        user: { id: HOSTILE },
        source: { ip: '10.0.0.1' },
      },
    });
  });
});
