// Reading a proxied request's JSON body on node:http, with the same answers Fastify gives
// the gateway's other routes (api-errors.ts maps Fastify's errors to the same problems): a
// size limit enforced from Content-Length before a byte is read and again while reading,
// application/json only (UTF-8), and JSON parsed the way Fastify parses it, refusing
// `__proto__` and `constructor.prototype` keys.
import type { IncomingMessage } from 'node:http';
import secureJson from 'secure-json-parse';

/** Why a body was not taken, as the caller is told. */
export interface BodyProblem {
  readonly status: 400 | 413 | 415;
  readonly code: string;
  readonly message: string;
}

export const BODY_PROBLEMS = {
  tooLarge: { status: 413, code: 'request_too_large', message: 'body: larger than this route accepts' },
  mediaType: {
    status: 415,
    code: 'unsupported_media_type',
    message: 'content-type: expected application/json',
  },
  empty: { status: 400, code: 'invalid_json', message: 'body: expected a JSON object, got nothing' },
  length: { status: 400, code: 'invalid_request', message: 'content-length: does not match the body' },
  invalidJson: { status: 400, code: 'invalid_json', message: 'body: not valid JSON' },
} as const satisfies Record<string, BodyProblem>;

export type JsonBody =
  /** `value` is undefined when the request has no body and no content type. */
  | { readonly kind: 'read'; readonly value: unknown }
  | { readonly kind: 'refused'; readonly problem: BodyProblem }
  /** The client went away before its body was complete: nobody to answer. */
  | { readonly kind: 'gone' };

const JSON_MEDIA_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Reads and parses `req`'s body, at most `maxBytes` of it. */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const type = req.headers['content-type'];
  const declared = req.headers['content-length'];
  const hasBody =
    req.headers['transfer-encoding'] !== undefined || (declared !== undefined && declared !== '0');
  if (type === undefined && !hasBody) return Promise.resolve({ kind: 'read', value: undefined });
  if (type === undefined || !JSON_MEDIA_TYPE.test(type)) return refused(BODY_PROBLEMS.mediaType);
  const length = declared === undefined ? null : Number(declared);
  if (length !== null && length > maxBytes) return refused(BODY_PROBLEMS.tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const settle = (outcome: JsonBody): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onGone);
      req.off('error', onGone);
      resolve(outcome);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) return settle({ kind: 'refused', problem: BODY_PROBLEMS.tooLarge });
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (length !== null && bytes !== length)
        return settle({ kind: 'refused', problem: BODY_PROBLEMS.length });
      if (bytes === 0) return settle({ kind: 'refused', problem: BODY_PROBLEMS.empty });
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes)).toString('utf8');
      try {
        settle({
          kind: 'read',
          value: secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }),
        });
      } catch {
        settle({ kind: 'refused', problem: BODY_PROBLEMS.invalidJson });
      }
    };
    const onGone = (): void => settle({ kind: 'gone' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onGone);
    req.on('error', onGone);
  });
}

function refused(problem: BodyProblem): Promise<JsonBody> {
  return Promise.resolve({ kind: 'refused', problem });
}
