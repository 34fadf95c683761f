import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { AuditEventV1 } from '@modelgate/contracts';
import { octetFrame, toHecEvent, toSyslog } from './siem-format';

/** Where a forwarder sends events; `send` resolves once the receiver has them as far as the protocol can tell. */
export interface SiemTransport {
  readonly name: string;
  send(events: readonly AuditEventV1[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Syslog over TCP or TLS (`tcp://host:port`, `tls://host:port`), RFC 5424 messages carrying
 * CEF, framed by octet counting (RFC 6587). TCP has no application acknowledgement: a write
 * the kernel took can still be lost when the receiver drops the connection. So the last
 * `replayFrames` frames written on a connection are kept and written again, first, on the
 * next one: at least once (duplicates possible) for anything within that window.
 */
export class SyslogTransport implements SiemTransport {
  readonly name: string;
  private socket: Socket | null = null;
  private recent: Buffer[] = [];
  private replay = false;

  constructor(
    private readonly url: URL,
    private readonly options: { replayFrames?: number; connectTimeoutMs?: number; host?: string } = {},
  ) {
    if (url.protocol !== 'tcp:' && url.protocol !== 'tls:')
      throw new Error(`SIEM_SYSLOG_URL: expected tcp:// or tls://, got ${url.protocol}//`);
    this.name = `syslog:${url.host}`;
  }

  async send(events: readonly AuditEventV1[]): Promise<void> {
    const frames = events.map((e) => octetFrame(toSyslog(e, this.options.host)));
    const socket = await this.connected();
    const out = this.replay ? [...this.recent, ...frames] : frames;
    this.replay = false;
    await new Promise<void>((resolve, reject) =>
      socket.write(Buffer.concat(out), (err) => (err ? reject(err) : resolve())),
    );
    const keep = this.options.replayFrames ?? 1_000;
    this.recent = [...this.recent, ...frames].slice(-keep);
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (s) await new Promise<void>((resolve) => s.end(resolve));
  }

  private connected(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const port = Number(this.url.port);
      const host = this.url.hostname.replace(/^\[|\]$/g, '');
      const socket =
        this.url.protocol === 'tls:'
          ? tlsConnect({ host, port, servername: host })
          : tcpConnect({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new Error('syslog connect timed out')),
        this.options.connectTimeoutMs ?? 5_000,
      );
      socket.once(this.url.protocol === 'tls:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.setKeepAlive(true, 10_000);
        this.socket = socket;
        resolve(socket);
      });
      socket.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('error', () => undefined);
      // Whatever the last connection may not have delivered is written again on the next.
      socket.once('close', () => {
        if (this.socket === socket) this.socket = null;
        this.replay = this.recent.length > 0;
      });
      socket.on('data', () => undefined); // receivers do not talk back; drain anyway
    });
  }
}

/** Splunk HEC-compatible JSON batches (`SIEM_HTTP_URL`, token in SIEM_HTTP_TOKEN): a 2xx acknowledges the batch. */
export class HecTransport implements SiemTransport {
  readonly name: string;

  constructor(
    private readonly url: URL,
    private readonly token: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`SIEM_HTTP_URL: expected http:// or https://, got ${url.protocol}//`);
    this.name = `http:${url.host}`;
  }

  async send(events: readonly AuditEventV1[]): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Splunk ${this.token}` } : {}),
      },
      body: events.map((e) => JSON.stringify(toHecEvent(e))).join('\n'),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`SIEM HTTP endpoint answered ${res.status}`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
