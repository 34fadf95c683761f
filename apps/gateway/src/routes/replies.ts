// Answers of the gateway's OpenAI routes, the same whether Fastify serves the route (a reply)
// or the raw proxy path does (a RawReply on the ServerResponse): one shape for refusals, one
// description of the request for the access gate.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { replyWithApiError } from '@modelgate/service-kit';
import type { AccessRequest, Refused } from '../access/access-gate';

/** What answering needs of a reply: Fastify's reply has it, RawReply below too. */
export interface ReplyLike {
  header(name: string, value: string): unknown;
  status(code: number): { send(body: unknown): unknown };
}

/**
 * A Fastify-reply-like answer on a raw ServerResponse: headers gathered, then one write of
 * status, headers and JSON body. Every answer carries the request id, as service-kit's hook
 * adds it to Fastify's.
 */
export class RawReply implements ReplyLike {
  private readonly headers: Record<string, string>;
  private code = 200;

  constructor(
    private readonly res: ServerResponse,
    requestId: string,
  ) {
    this.headers = { 'x-request-id': requestId };
  }

  header(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  status(code: number): this {
    this.code = code;
    return this;
  }

  send(body: unknown): void {
    const text = JSON.stringify(body);
    this.headers['content-type'] = 'application/json; charset=utf-8';
    this.headers['content-length'] = String(Buffer.byteLength(text));
    this.res.writeHead(this.code, this.headers);
    this.res.end(text);
  }
}

/** A refusal as ARCHITECTURE.md shapes it: status, OpenAI error body, decision id, Retry-After on 429. */
export function refuse(reply: ReplyLike, requestId: string, refused: Refused): void {
  reply.header('x-decision-id', refused.decisionId);
  if (refused.retryAfterSec !== undefined) reply.header('retry-after', String(refused.retryAfterSec));
  replyWithApiError(reply, requestId, refused.status, refused.code, refused.message);
}

/** The request as the access gate sees it, from its headers and what the gateway resolved. */
export function accessRequestOf(
  headers: IncomingHttpHeaders,
  requestId: string,
  operation: string,
  ip: string | null,
): AccessRequest {
  const traceparent = headers['traceparent'];
  return {
    requestId,
    traceparent: typeof traceparent === 'string' ? traceparent : undefined,
    operation,
    ip,
    startedAt: process.hrtime.bigint(),
  };
}
