/** Fetches a JSON document (discovery, JWKS). A port, so tests and benchmarks need no network. */
export type JsonFetcher = (url: string) => Promise<unknown>;

export interface HttpJsonFetcherOptions {
  readonly timeoutMs?: number;
  /** Largest body read; a JWKS of a few keys is a few KB. */
  readonly maxBytes?: number;
}

/** `fetch` with a timeout, no redirects and a size cap. */
export function httpJsonFetcher(options: HttpJsonFetcherOptions = {}): JsonFetcher {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 512 * 1024;
  return async (url) => {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > maxBytes) throw new Error(`GET ${url}: body larger than ${maxBytes} bytes`);
    const text = await res.text();
    if (text.length > maxBytes) throw new Error(`GET ${url}: body larger than ${maxBytes} bytes`);
    return JSON.parse(text) as unknown;
  };
}
