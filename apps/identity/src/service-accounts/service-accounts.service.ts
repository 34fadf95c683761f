import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  apiKeyMatches,
  AuthenticationError,
  CachingApiKeyStore,
  hashApiKey,
  type Principal,
} from '@modelgate/auth';
import { IdentityException } from '../errors/identity.exception';
import { decodeCursor, encodeCursor, pageOf, type Page } from '../pagination/cursor';
import { IdentityEventLog } from '../events/identity-event-log';
import { principalStream } from '../events/identity-events';
import { ServiceAccountRepository, type ServiceAccount } from './service-account.repository';

const DECOY_HASH = hashApiKey('no-such-service-account');

/** Service accounts: created and disabled by admins, they log in with client credentials. */
@Injectable()
export class ServiceAccountsService {
  constructor(
    private readonly db: DataSource,
    private readonly accounts: ServiceAccountRepository,
    private readonly events: IdentityEventLog,
    private readonly apiKeyCache: CachingApiKeyStore,
  ) {}

  async create(
    actor: Principal,
    input: { id: string; name?: string | undefined; roles: string[] },
  ): Promise<{ account: ServiceAccount; clientSecret: string }> {
    const clientSecret = `mgsa_${randomBytes(32).toString('base64url')}`;
    const account = await this.db.transaction(async (tx) => {
      const account = await this.accounts.insert(tx, {
        id: input.id,
        name: input.name ?? input.id,
        roles: [...new Set(input.roles)].sort(),
        secretHash: hashApiKey(clientSecret),
        createdBy: actor.id,
      });
      if (!account) throw new IdentityException('conflict', `service account "${input.id}" exists`);
      await this.events.record(tx, principalStream(account.id), actorOf(actor), {
        type: 'identity.service_account_created',
        data: { service_account_id: account.id, name: account.name, roles: account.roles },
      });
      return account;
    });
    return { account, clientSecret };
  }

  async disable(actor: Principal, id: string): Promise<ServiceAccount> {
    const account = await this.db.transaction(async (tx) => {
      const account = await this.accounts.disable(tx, id);
      if (!account) throw new IdentityException('not_found', 'no such active service account');
      await this.events.record(tx, principalStream(account.id), actorOf(actor), {
        type: 'identity.principal_disabled',
        data: { principal_id: account.id, principal_type: 'service_account' },
      });
      return account;
    });
    this.apiKeyCache.invalidateOwner(id);
    return account;
  }

  async list(query: { limit: number; cursor?: string | undefined }): Promise<Page<ServiceAccount>> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 'service-accounts');
    const rows = await this.accounts.list(query.limit + 1, after);
    return pageOf(rows, query.limit, (a) => encodeCursor(a.id, 'service-accounts'));
  }

  /** Client credentials: unknown id, wrong secret and a disabled account answer alike. */
  async authenticate(clientId: string, clientSecret: string): Promise<ServiceAccount> {
    const account = clientId.length <= 128 ? await this.accounts.get(clientId) : undefined;
    const matches = apiKeyMatches(clientSecret, account?.secretHash ?? DECOY_HASH);
    if (!account || !matches) throw new AuthenticationError('invalid_credentials', 'client credentials');
    if (account.disabledAt) throw new AuthenticationError('disabled', 'service account disabled');
    return account;
  }
}

export function actorOf(p: Principal): { id: string; type: string; ip: null } {
  return { id: p.id, type: p.type, ip: null };
}

export function serviceAccountJson(a: ServiceAccount): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    roles: a.roles,
    created_by: a.createdBy,
    created_at: a.createdAt.toISOString(),
    disabled_at: a.disabledAt?.toISOString() ?? null,
  };
}
