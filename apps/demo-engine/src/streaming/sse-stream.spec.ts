// Over a real loopback socket: inject() has no socket buffer, so it cannot show backpressure.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isAbort, SseStream } from './sse-stream';

const EVENT = 'x'.repeat(1024);
const EVENTS = 100_000; // 100 MiB if nothing held the producer back

let server: Server | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.destroy();
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
  }
  server = client = undefined;
});

function serve(onStream: (sse: SseStream) => Promise<void>, onAbort: () => void): Promise<number> {
  server = createServer((_req, res) => {
    void onStream(new SseStream(res, onAbort));
  });
  server.listen(0, '127.0.0.1');
  return once(server, 'listening').then(() => (server!.address() as AddressInfo).port);
}

describe('SseStream', () => {
  it('waits for drain when the client does not read, and aborts when it leaves', async () => {
    let produced = 0;
    let aborted = 0;
    let outcome: unknown = 'running';
    const port = await serve(
      async (sse) => {
        try {
          for (; produced < EVENTS; produced++) await sse.send(EVENT);
          sse.done();
          outcome = 'finished';
        } catch (error) {
          outcome = isAbort(error) ? 'aborted' : error;
        }
      },
      () => aborted++,
    );
    client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    client.pause(); // never reads: the kernel buffers fill, then write() returns false
    client.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 400));
    const held = produced;
    await new Promise((r) => setTimeout(r, 200));
    // Stuck on drain: bounded by socket buffers (a few MiB), not by the 100 MiB asked for.
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(EVENTS / 4);
    expect(produced).toBe(held);
    expect(outcome).toBe('running');

    client.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(outcome).toBe('aborted');
    expect(aborted).toBe(1);
    expect(produced).toBe(held);
  });

  it('frames events as data: lines, ends with [DONE], and does not call a finished stream aborted', async () => {
    let aborted = 0;
    const port = await serve(
      async (sse) => {
        await sse.send('{"a":1}');
        await sse.send('{"b":2}');
        sse.done();
      },
      () => aborted++,
    );
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await res.text()).toBe('data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(aborted).toBe(0);
  });
});
