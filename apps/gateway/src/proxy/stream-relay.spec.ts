import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { relay, type RelayEnd } from './stream-relay';

let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((r) => {
      if (!server) return r();
      server.closeAllConnections();
      server.close(() => r());
    }),
);

/** A local HTTP server whose handler relays `upstream`; the outcome of the relay resolves `ended`. */
async function serve(
  upstream: PassThrough,
  stallMs: number,
): Promise<{ port: number; ended: Promise<RelayEnd> }> {
  let resolveEnd!: (e: RelayEnd) => void;
  const ended = new Promise<RelayEnd>((r) => (resolveEnd = r));
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    void relay(upstream, res, stallMs).then(resolveEnd);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, ended };
}

function get(port: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) =>
    request({ port, host: '127.0.0.1', path: '/' }, resolve).on('error', reject).end(),
  );
}

describe('relay', () => {
  it('passes chunks through as they arrive, unbuffered', async () => {
    const upstream = new PassThrough();
    const { port, ended } = await serve(upstream, 1_000);
    const res = await get(port);
    const first = new Promise<string>((r) => res.once('data', (c: Buffer) => r(c.toString())));
    upstream.write('data: {"n":1}\n\n');
    expect(await first).toBe('data: {"n":1}\n\n'); // arrived before the stream ended
    upstream.end('data: [DONE]\n\n');
    let rest = '';
    res.on('data', (c: Buffer) => (rest += c.toString()));
    await new Promise((r) => res.once('end', r));
    expect(rest).toBe('data: [DONE]\n\n');
    expect(await ended).toBe('complete');
  });

  it('destroys the upstream when the client goes away', async () => {
    const upstream = new PassThrough();
    const { port, ended } = await serve(upstream, 10_000);
    const res = await get(port);
    upstream.write('data: 1\n\n');
    await new Promise((r) => res.once('data', r));
    res.destroy();
    expect(await ended).toBe('client_gone');
    expect(upstream.destroyed).toBe(true);
  });

  it('pauses the upstream for a client that does not read, then gives up on it', async () => {
    const upstream = new PassThrough({ highWaterMark: 1024 });
    const { port, ended } = await serve(upstream, 300);
    const res = await get(port);
    res.pause(); // never reads
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let accepted = 0;
    // The engine writes as long as the relay takes it; it must be held back, not buffered.
    for (let i = 0; i < 2_000 && upstream.write(chunk); i++) accepted++;
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 200; i++) if (upstream.write(chunk)) accepted++;
    expect(accepted * chunk.length).toBeLessThan(64 * 1024 * 1024);
    expect(await ended).toBe('client_stalled');
    expect(upstream.destroyed).toBe(true);
  });
});
