// Server-sent events exactly as OpenAI and vLLM frame them (`data: <json>\n\n`, then
// `data: [DONE]\n\n`), written with backpressure: when the socket's buffer is full the
// generator waits for `drain` instead of piling chunks up in memory. When the client goes
// away the stream's signal aborts, so the generation loop stops at its next token.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tells nginx-style proxies not to buffer the stream.
  'x-accel-buffering': 'no',
} as const;

export class SseStream {
  private readonly controller = new AbortController();

  /** `onAbort` runs once if the connection closes before the stream's end was written. */
  constructor(
    private readonly res: ServerResponse,
    onAbort: () => void = () => undefined,
  ) {
    res.writeHead(200, SSE_HEADERS);
    // Headers go out now, so that a client sees the stream open before the first token.
    res.flushHeaders();
    res.on('close', () => {
      if (res.writableFinished) return;
      this.controller.abort();
      onAbort();
    });
  }

  /** Aborted when the client disconnected before `end()`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Writes one `data:` event; resolves once the socket can take more. Throws when aborted. */
  async send(data: string): Promise<void> {
    this.signal.throwIfAborted();
    if (!this.res.write(`data: ${data}\n\n`)) await once(this.res, 'drain', { signal: this.signal });
  }

  /** Waits between tokens (`demo_token_delay_ms`); throws when the client goes away meanwhile. */
  async pause(ms: number): Promise<void> {
    if (ms > 0) await sleep(ms, undefined, { signal: this.signal });
  }

  /** `data: [DONE]` and the end of the response. */
  done(): void {
    if (this.aborted) return;
    this.res.end('data: [DONE]\n\n');
  }
}

/** True for the error an aborted send/pause throws (AbortError). */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
