// The one way the console talks to the gateway: same origin, bearer token, JSON, and
// errors turned into ApiError. A 401 signs the user out (the token expired or was revoked).
import { apiErrorOf } from './api-error';

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string | number | undefined | null>;
  readonly signal?: AbortSignal;
}

export interface JsonAnswer<T> {
  readonly body: T;
  readonly headers: Headers;
  readonly status: number;
}

export interface HttpClient {
  json<T>(path: string, options?: RequestOptions): Promise<JsonAnswer<T>>;
  /** The raw response, for downloads. */
  raw(path: string, options?: RequestOptions): Promise<Response>;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function createHttpClient(
  token: () => string | null,
  onUnauthenticated: () => void,
  baseUrl = '',
): HttpClient {
  async function send(path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    const bearer = token();
    if (bearer) headers['authorization'] = `Bearer ${bearer}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${withQuery(path, options.query)}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
    if (!response.ok) {
      const body: unknown = await response.json().catch(() => null);
      const error = apiErrorOf(response.status, body, response.statusText);
      // Only a refused credential signs out; a 401 from signing in itself is a wrong password.
      if (response.status === 401 && bearer) onUnauthenticated();
      throw error;
    }
    return response;
  }
  return {
    async json<T>(path: string, options: RequestOptions = {}): Promise<JsonAnswer<T>> {
      const response = await send(path, options);
      const body = (response.status === 204 ? null : await response.json()) as T;
      return { body, headers: response.headers, status: response.status };
    },
    raw: (path, options = {}) => send(path, options),
  };
}
