import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { AuthenticationError, type Principal } from '@modelgate/auth';

/** Identity did not answer (or answered nonsense): the caller cannot be authenticated now. */
export class IdentityUnavailableError extends Error {
  constructor(detail: string) {
    super(`identity unavailable: ${detail}`);
    this.name = 'IdentityUnavailableError';
  }
}

const stringList = z.array(z.string().max(1024)).max(1024);
const whoamiAnswer = z.object({
  id: z.string().min(1).max(1024),
  type: z.enum(['user', 'service_account']),
  roles: stringList,
  groups: stringList,
  credential: z.object({
    kind: z.enum(['identity_token', 'oidc_token', 'api_key']),
    issuer: z.string(),
    key_id: z.string().nullable(),
    models: stringList.nullable(),
    operations: stringList.nullable(),
    expires_at: z.iso.datetime({ offset: true }).nullable(),
  }),
});

/**
 * Asks identity who a credential belongs to (`GET /v1/auth/whoami`). Identity is the one
 * place that knows how claims map to roles, which keys exist and who is disabled; the
 * gateway keeps the answers briefly (see PrincipalCache) instead of re-implementing it.
 */
export class IdentityClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly dispatcher: Dispatcher,
  ) {}

  async whoami(authorization: string): Promise<Principal> {
    let status: number;
    let text: string;
    try {
      const res = await request(`${this.baseUrl}/v1/auth/whoami`, {
        method: 'GET',
        headers: { authorization, accept: 'application/json' },
        dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.statusCode;
      text = await res.body.text();
    } catch (error) {
      throw new IdentityUnavailableError((error as Error).message);
    }
    if (status === 401) throw new AuthenticationError('invalid_credentials', 'refused by identity');
    if (status !== 200) throw new IdentityUnavailableError(`whoami answered ${status}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new IdentityUnavailableError('whoami answered something that is not JSON');
    }
    const parsed = whoamiAnswer.safeParse(json);
    if (!parsed.success)
      throw new IdentityUnavailableError(`whoami answer: ${parsed.error.issues[0]?.message}`);
    const { credential: c, ...who } = parsed.data;
    return {
      ...who,
      credential: {
        kind: c.kind,
        issuer: c.issuer,
        ...(c.key_id !== null ? { keyId: c.key_id } : {}),
        ...(c.models !== null ? { models: c.models } : {}),
        ...(c.operations !== null ? { operations: c.operations } : {}),
        ...(c.expires_at !== null ? { expiresAt: Math.floor(Date.parse(c.expires_at) / 1000) } : {}),
      },
    };
  }
}
