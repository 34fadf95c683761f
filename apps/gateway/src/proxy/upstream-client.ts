import type { ServerResponse } from 'node:http';
import { Agent, errors, request, type Dispatcher } from 'undici';

export interface UpstreamTimeouts {
  readonly headersMs: number;
  readonly bodyMs: number;
}

/** The engine could not be reached or did not answer in time: 502/504 to the client. */
export class UpstreamError extends Error {
  constructor(
    readonly status: 502 | 504,
    readonly code: 'upstream_unavailable' | 'upstream_timeout',
    detail: string,
  ) {
    super(detail);
    this.name = 'UpstreamError';
  }
}

export interface UpstreamRequest {
  /** Origin + path, built by the gateway from the backend's base URL and an allow-listed route. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
  /** Aborts the request (a deadline of the caller's own). */
  readonly signal?: AbortSignal;
}

/** Kept-alive connections to the engines, one pool per origin. */
export function upstreamAgent(connections: number): Agent {
  return new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
}

/**
 * Sends a request to an engine or a service. With `client`, the response being answered:
 * the upstream request is cancelled when the client goes away first, and the answer is
 * then null (nobody is left to answer).
 */
export async function sendUpstream(
  dispatcher: Dispatcher,
  req: UpstreamRequest,
  timeouts: UpstreamTimeouts,
  client?: ServerResponse,
): Promise<Dispatcher.ResponseData | null> {
  const gone = new AbortController();
  const onClose = (): void => {
    if (!client!.writableFinished) gone.abort();
  };
  client?.once('close', onClose);
  try {
    return await request(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal: req.signal ? AbortSignal.any([req.signal, gone.signal]) : gone.signal,
      dispatcher,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
      // undici's `request` follows no redirects: an engine's redirect could point anywhere.
    });
  } catch (error) {
    if (gone.signal.aborted) return null;
    if (error instanceof errors.HeadersTimeoutError) {
      throw new UpstreamError(504, 'upstream_timeout', 'the engine did not answer in time');
    }
    throw new UpstreamError(502, 'upstream_unavailable', (error as Error).message);
  } finally {
    client?.off('close', onClose);
  }
}
