// Requests a service answers on node:http itself, ahead of Fastify. For a hot path only: the
// gateway's proxied OpenAI routes, where Fastify's per-request machinery (routing, hook
// chains, the content-type parser's async resource, the reply object; and Nest's adapter
// adds hooks of its own to every route) cost about a quarter of the gateway's CPU a request
// (bench/gateway/README.md). Everything else, and anything the handler does not take, goes
// through Fastify as before.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Takes the request (and answers it) by returning true; returns false, touching nothing, otherwise. */
export type RawRequestHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The server's slot for one raw handler; empty, every request goes to Fastify. */
export class RawRequests {
  private handler: RawRequestHandler | null = null;

  use(handler: RawRequestHandler): void {
    if (this.handler !== null) throw new Error('a raw request handler is already installed');
    this.handler = handler;
  }

  /** True when the installed handler took the request. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    return this.handler !== null && this.handler(req, res);
  }
}

/** A request id we accept from a caller: short, printable, no separators that could forge log fields. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: the caller's `x-request-id` when it is safe to log, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}
