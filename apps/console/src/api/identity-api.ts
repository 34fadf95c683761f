// Identity through the gateway: sign-in, who am I, API keys, service accounts.
import type { HttpClient } from './http-client';
import type { Page } from './acl-api';

export interface WhoAmI {
  readonly id: string;
  readonly type: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

export interface TokenAnswer {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
}

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly owner: { id: string; type: string };
  readonly models: readonly string[] | null;
  readonly operations: readonly string[] | null;
  readonly created_by: string | null;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
  readonly last_used_at: string | null;
}

export interface CreatedKey extends ApiKey {
  /** Shown once, never again. */
  readonly secret: string;
}

export interface NewKey {
  readonly name: string;
  readonly expires_at?: string | null;
  readonly models?: string[] | null;
  readonly operations?: string[] | null;
  readonly service_account?: string;
}

export interface ServiceAccount {
  readonly id: string;
  readonly name: string | null;
  readonly roles: readonly string[];
  readonly created_by: string | null;
  readonly created_at: string;
  readonly disabled_at: string | null;
}

export interface CreatedServiceAccount extends ServiceAccount {
  readonly client_id: string;
  readonly client_secret: string;
}

export function identityApi(http: HttpClient) {
  return {
    async passwordToken(username: string, password: string): Promise<TokenAnswer> {
      return (
        await http.json<TokenAnswer>('/v1/auth/token', { method: 'POST', body: { username, password } })
      ).body;
    },
    async whoami(): Promise<WhoAmI> {
      return (await http.json<WhoAmI>('/v1/auth/whoami')).body;
    },
    async keys(owner?: string): Promise<ApiKey[]> {
      return (await http.json<Page<ApiKey>>('/v1/keys', { query: { owner } })).body.items;
    },
    async createKey(key: NewKey): Promise<CreatedKey> {
      return (await http.json<CreatedKey>('/v1/keys', { method: 'POST', body: key })).body;
    },
    async revokeKey(id: string): Promise<ApiKey> {
      return (await http.json<ApiKey>(`/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' })).body;
    },
    async serviceAccounts(): Promise<ServiceAccount[]> {
      return (await http.json<Page<ServiceAccount>>('/v1/service-accounts')).body.items;
    },
    async createServiceAccount(account: {
      id: string;
      name?: string;
      roles: string[];
    }): Promise<CreatedServiceAccount> {
      return (
        await http.json<CreatedServiceAccount>('/v1/service-accounts', { method: 'POST', body: account })
      ).body;
    },
    async disableServiceAccount(id: string): Promise<ServiceAccount> {
      return (
        await http.json<ServiceAccount>(`/v1/service-accounts/${encodeURIComponent(id)}`, {
          method: 'DELETE',
        })
      ).body;
    },
  };
}

export type IdentityApi = ReturnType<typeof identityApi>;
