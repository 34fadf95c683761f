// What the end-to-end suites share: signing in as a demo user through the gateway, putting
// policies, reading the demo engine's request log and the audit trail, and clients that
// connect from a chosen local address (the gateway trusts one of them as its proxy).
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import type { Stack } from '../support/stack';

/** The gateway's trusted proxy in these suites; every other local address is a direct client. */
export const PROXY_ADDRESS = '127.0.0.2';

export interface EngineRequest {
  readonly method: string;
  readonly path: string;
  readonly model: string | null;
  readonly authorization_present: boolean;
  readonly headers: Record<string, string>;
  readonly aborted: boolean;
}

export class StackClient {
  private readonly tokens = new Map<string, string>();
  private readonly proxyAgent = new Agent({ localAddress: PROXY_ADDRESS });

  constructor(readonly stack: Stack) {}

  get base(): string {
    return this.stack.gatewayUrl;
  }

  /** A demo user's token from the gateway's `POST /v1/auth/token` (LDAP), cached per user. */
  async token(user: 'admin' | 'alice' | 'bob' | 'carol'): Promise<string> {
    const cached = this.tokens.get(user);
    if (cached) return cached;
    const res = await fetch(`${this.base}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user, password: `${user}-password` }),
    });
    if (res.status !== 200) throw new Error(`token for ${user}: ${res.status} ${await res.text()}`);
    const { access_token } = (await res.json()) as { access_token: string };
    this.tokens.set(user, access_token);
    return access_token;
  }

  /** `PUT /v1/acl/model` as admin; resolves with the stored version. */
  async putPolicy(document: unknown): Promise<number> {
    const res = await fetch(`${this.base}/v1/acl/model`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.token('admin')}` },
      body: JSON.stringify(document),
    });
    const body = (await res.json()) as { version?: number };
    if (res.status !== 200 && res.status !== 201)
      throw new Error(`put policy: ${res.status} ${JSON.stringify(body)}`);
    return body.version!;
  }

  async admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.token('admin')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  /**
   * A raw request to the gateway. `via` = a client address: the request then comes from the
   * trusted proxy with `X-Forwarded-For: via`; without it, from 127.0.0.1 directly.
   */
  async request(
    path: string,
    init: {
      method?: string;
      bearer?: string;
      body?: unknown;
      via?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<{ status: number; headers: Headers; json: Record<string, unknown> | null; text: string }> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.bearer) headers['authorization'] = `Bearer ${init.bearer}`;
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    if (init.via) headers['x-forwarded-for'] = init.via;
    const options: UndiciRequestInit = {
      method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
      headers,
      ...(init.body !== undefined
        ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }
        : {}),
      ...(init.via ? { dispatcher: this.proxyAgent } : {}),
    };
    const res = await undiciFetch(`${this.base}${path}`, options);
    const text = await res.text();
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers as unknown as Headers, json, text };
  }

  /** The official OpenAI client, pointed at the gateway, optionally behind the trusted proxy. */
  openai(apiKey: string, via?: string): OpenAI {
    return new OpenAI({
      apiKey,
      baseURL: `${this.base}/v1`,
      maxRetries: 0,
      timeout: 20_000,
      ...(via
        ? {
            defaultHeaders: { 'x-forwarded-for': via },
            fetch: ((url: string, init: UndiciRequestInit) =>
              undiciFetch(url, { ...init, dispatcher: this.proxyAgent })) as unknown as typeof fetch,
          }
        : {}),
    });
  }

  async engineRequests(): Promise<EngineRequest[]> {
    const res = await fetch(`${this.stack.urls['demo-engine']}/__demo/requests`);
    return ((await res.json()) as { items: EngineRequest[] }).items;
  }

  async resetEngine(): Promise<void> {
    await fetch(`${this.stack.urls['demo-engine']}/__demo/requests`, { method: 'DELETE' });
  }

  /** Audit events matching `query`, waiting (up to 15 s) until `until` holds for them. */
  async auditEvents(
    query: Record<string, string>,
    until: (items: AuditItem[]) => boolean = (items) => items.length > 0,
  ): Promise<AuditItem[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const res = await fetch(
        `${this.base}/v1/audit/events?${new URLSearchParams({ limit: '200', ...query }).toString()}`,
        {
          headers: { authorization: `Bearer ${await this.token('carol')}` },
        },
      );
      const items = ((await res.json()) as { items: AuditItem[] }).items;
      if (until(items) || Date.now() > deadline) return items;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async close(): Promise<void> {
    await this.proxyAgent.close();
  }
}

export interface AuditItem {
  readonly id: string;
  readonly principal_id: string | null;
  readonly model: string;
  readonly operation: string;
  readonly decision: 'allow' | 'deny';
  readonly reason: string;
  readonly record: {
    readonly decision_id: string;
    readonly source_ip: string | null;
    readonly shadow: { allow: boolean; reason: string } | null;
    readonly detail: string | null;
  };
}

/** Polls `probe` until it returns true (a policy change propagating), returning the time it took. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
