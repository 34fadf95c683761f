// Modelgate as a user meets it: an API key (of the admin, scoped to the benchmarked model for
// `infer` and `view`) and a policy rule allowing that key; every request then goes through
// identity (key → principal), the decision service over gRPC, and audit. The bench adds its
// rule beside the model's existing rules and puts the document back afterwards.

export interface ModelgateSession {
  /** `Authorization: Bearer <this>` on every benchmarked request. */
  readonly apiKey: string;
  /** Revokes the key and restores the model's document; answers what it did. */
  restore(): Promise<string>;
}

export const BENCH_RULE_ID = 'bench-gateway';

interface Rule {
  id?: string;
  [field: string]: unknown;
}

interface AclDocument {
  version: number;
  enforce: { rules: Rule[] } | null;
}

async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; ifMatch?: string; expect: readonly number[] },
): Promise<{ status: number; body: unknown; etag: string | null }> {
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.ifMatch) headers['if-match'] = options.ifMatch;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON
  }
  if (!options.expect.includes(res.status)) {
    throw new Error(`Modelgate ${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return { status: res.status, body, etag: res.headers.get('etag') };
}

/**
 * The rules of the document with the bench's own rule (re)placed at the end. A request made
 * with an API key is decided for the key (principal type `api_key`, value its id), so that is
 * what the rule names.
 */
export function withBenchRule(rules: readonly Rule[], keyId: string): Rule[] {
  return [
    ...rules.filter((r) => r.id !== BENCH_RULE_ID),
    {
      id: BENCH_RULE_ID,
      effect: 'allow',
      principal: { type: 'api_key', value: keyId },
      operations: ['infer', 'view'],
    },
  ];
}

export async function prepareModelgate(
  base: string,
  model: string,
  admin: { username: string; password: string },
  probe: (apiKey: string) => Promise<boolean>,
): Promise<ModelgateSession> {
  const login = async (): Promise<string> =>
    (
      (await call(base, 'POST', '/v1/auth/token', { body: admin, expect: [200] })).body as {
        access_token: string;
      }
    ).access_token;
  const token = await login();
  const modelPath = `/v1/acl/models/${encodeURIComponent(model)}`;
  let keyId: string | null = null;
  let original: AclDocument | null = null;
  let benchVersion: string | null = null;
  let changed = false;

  const restore = async (): Promise<string> => {
    // A fresh token: the first may have expired during a long run.
    const t = await login();
    if (keyId) await call(base, 'DELETE', `/v1/keys/${keyId}`, { token: t, expect: [200, 204, 404] });
    if (!changed) return 'key revoked';
    const originalRules = original?.enforce?.rules ?? [];
    const ifMatch = benchVersion ?? undefined;
    const done = original
      ? await call(base, 'PUT', `${modelPath}${originalRules.length === 0 ? '?confirm_empty=true' : ''}`, {
          token: t,
          ifMatch,
          body: { model, mode: 'enforce', rules: originalRules },
          expect: [200, 201, 412],
        })
      : await call(base, 'DELETE', modelPath, { token: t, ifMatch, expect: [200, 204, 412] });
    return done.status === 412
      ? `key revoked; ${model}'s document changed during the run, left as it is (remove rule "${BENCH_RULE_ID}" by hand)`
      : `key revoked; ${model}'s document restored`;
  };

  try {
    const key = await call(base, 'POST', '/v1/keys', {
      token,
      body: {
        name: 'bench-gateway',
        models: [model],
        // `view` too: a model the caller may not view answers 404 like a missing one.
        operations: ['infer', 'view'],
        expires_at: new Date(Date.now() + 3 * 3600_000).toISOString(),
      },
      expect: [200, 201],
    });
    const created = key.body as { id: string; secret: string };
    keyId = created.id;

    const before = await call(base, 'GET', modelPath, { token, expect: [200, 404] });
    original = before.status === 200 ? (before.body as AclDocument) : null;
    const put = await call(base, 'PUT', modelPath, {
      token,
      ifMatch: original ? `"${original.version}"` : undefined,
      body: { model, mode: 'enforce', rules: withBenchRule(original?.enforce?.rules ?? [], created.id) },
      expect: [200, 201],
    });
    changed = true;
    benchVersion = put.etag;

    // The decision service learns the new rule from Kafka: wait until the key is allowed.
    const deadline = Date.now() + 30_000;
    while (!(await probe(created.secret))) {
      if (Date.now() > deadline)
        throw new Error('Modelgate: the bench key is still refused 30 s after the policy change');
      await new Promise((r) => setTimeout(r, 250));
    }
    return { apiKey: created.secret, restore };
  } catch (error) {
    // Leave nothing behind: the rule and the key go, whatever failed.
    await restore().catch(() => undefined);
    throw error;
  }
}
