// What reached the engine, kept for the tests (`GET /__demo/requests`): they prove that a
// refused request sent not a byte upstream, that a client's credential was not forwarded,
// and that a cancelled stream was cancelled upstream too.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  /** Increases by one per recorded request, across `clear()`. */
  readonly seq: number;
  readonly method: string;
  /** The path as received, without the query string. */
  readonly path: string;
  /** From the JSON body's `model` or the path; null when the request names none. */
  model: string | null;
  readonly authorization_present: boolean;
  /**
   * First 16 hex digits of SHA-256 over the whole Authorization value: tests compare it with
   * the hash of the credential they expect (or must not see) without the log holding a secret.
   */
  readonly authorization_fingerprint: string | null;
  /** Lower-cased names; credentials (authorization, proxy-authorization) cut to their scheme. */
  readonly headers: Readonly<Record<string, string>>;
  /** The client went away before the answer was complete. */
  aborted: boolean;
  /** Status sent, null until the answer has started. */
  status: number | null;
  readonly at: string;
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization']);

export function fingerprint(authorization: string): string {
  return createHash('sha256').update(authorization).digest('hex').slice(0, 16);
}

function redactedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = CREDENTIAL_HEADERS.has(name) ? (text.split(' ', 1)[0] ?? '') : text;
  }
  return out;
}

/** The last `capacity` requests, oldest first. */
export class RequestLog {
  private readonly ring: (RecordedRequest | undefined)[];
  private next = 0;
  private size = 0;
  private seq = 0;

  constructor(
    private readonly capacity = 1000,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.ring = new Array<RecordedRequest | undefined>(capacity);
  }

  record(method: string, path: string, headers: IncomingHttpHeaders): RecordedRequest {
    const authorization = headers.authorization;
    const entry: RecordedRequest = {
      seq: ++this.seq,
      method,
      path,
      model: null,
      authorization_present: authorization !== undefined,
      authorization_fingerprint: authorization === undefined ? null : fingerprint(authorization),
      headers: redactedHeaders(headers),
      aborted: false,
      status: null,
      at: this.now().toISOString(),
    };
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    return entry;
  }

  list(): RecordedRequest[] {
    const out: RecordedRequest[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) out.push(this.ring[(start + i) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
