import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export type RelayEnd = 'complete' | 'client_gone' | 'client_stalled' | 'upstream_failed';

/**
 * Copies an engine's response body to the client as it arrives (SSE chunks are written the
 * moment they come, nothing is buffered beyond the socket's own buffer), with backpressure:
 * when the client's socket is full the engine's stream is paused, so a client that stops
 * reading holds the engine at its TCP window instead of filling the gateway's memory. A client
 * that reads nothing for `stallTimeoutMs` is disconnected. Whatever ends the relay early
 * also destroys the upstream stream, which closes the engine's connection and cancels the
 * generation there.
 */
export function relay(upstream: Readable, res: ServerResponse, stallTimeoutMs: number): Promise<RelayEnd> {
  return new Promise((resolve) => {
    let done = false;
    let stallTimer: NodeJS.Timeout | undefined;
    const finish = (end: RelayEnd): void => {
      if (done) return;
      done = true;
      clearTimeout(stallTimer);
      upstream.off('data', onData);
      res.off('drain', onDrain);
      if (end !== 'complete') {
        upstream.destroy();
        if (!res.writableEnded) res.destroy();
      }
      resolve(end);
    };
    const onDrain = (): void => {
      clearTimeout(stallTimer);
      stallTimer = undefined;
      upstream.resume();
    };
    const onData = (chunk: Buffer): void => {
      if (res.write(chunk)) return;
      upstream.pause();
      stallTimer ??= setTimeout(() => finish('client_stalled'), stallTimeoutMs);
    };
    upstream.on('data', onData);
    res.on('drain', onDrain);
    upstream.once('end', () => {
      res.end();
      finish('complete');
    });
    upstream.once('error', () => finish('upstream_failed'));
    res.once('close', () => {
      if (!res.writableFinished) finish('client_gone');
    });
  });
}
