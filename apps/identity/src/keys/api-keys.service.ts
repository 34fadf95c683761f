import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CachingApiKeyStore, generateApiKey, type Principal } from '@modelgate/auth';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { isAdmin } from '../auth/admin';
import { IdentityException } from '../errors/identity.exception';
import { IdentityEventsPublisher } from '../events/identity-events.publisher';
import { actorOf } from '../service-accounts/service-accounts.service';
import { ServiceAccountRepository } from '../service-accounts/service-account.repository';
import { ApiKeyRepository, type ApiKeyView } from './api-key.repository';

export interface CreateApiKeyInput {
  readonly name: string;
  readonly expiresAt: Date | null;
  readonly models: string[] | null;
  readonly operations: string[] | null;
  /** A service account to create the key for (admins only); absent = the caller. */
  readonly serviceAccountId?: string | undefined;
}

/** API keys: create (secret shown once), list, revoke. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: DataSource,
    private readonly keys: ApiKeyRepository,
    private readonly accounts: ServiceAccountRepository,
    private readonly events: IdentityEventsPublisher,
    private readonly cache: CachingApiKeyStore,
    @Inject(CONFIG) private readonly config: IdentityConfig,
  ) {}

  async create(actor: Principal, input: CreateApiKeyInput): Promise<{ key: ApiKeyView; secret: string }> {
    // A key cannot mint keys: otherwise one leaked key outlives its own revocation.
    if (actor.credential.kind === 'api_key') {
      throw new IdentityException('forbidden', 'API keys are managed with a user token');
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new IdentityException('invalid_request', 'expires_at: must be in the future');
    }
    let owner: {
      id: string;
      type: 'user' | 'service_account';
      roles: readonly string[];
      groups: readonly string[];
    };
    if (input.serviceAccountId !== undefined) {
      if (!isAdmin(actor, this.config)) {
        throw new IdentityException('forbidden', 'only administrators create keys for service accounts');
      }
      const account = await this.accounts.get(input.serviceAccountId);
      if (!account || account.disabledAt)
        throw new IdentityException('not_found', 'no such active service account');
      owner = { id: account.id, type: 'service_account', roles: account.roles, groups: [] };
    } else {
      owner = { id: actor.id, type: actor.type, roles: actor.roles, groups: actor.groups };
    }

    const generated = generateApiKey();
    const { key, pending } = await this.db.transaction(async (tx) => {
      const key = await this.keys.insert(tx, {
        id: generated.id,
        hash: generated.hash,
        name: input.name,
        ownerId: owner.id,
        ownerType: owner.type,
        roles: owner.roles,
        groups: owner.groups,
        models: input.models,
        operations: input.operations,
        createdBy: actor.id,
        expiresAt: input.expiresAt,
      });
      const pending = await this.events.record(tx, owner.id, actorOf(actor), {
        type: 'identity.key_created',
        data: {
          key_id: key.id,
          name: key.name,
          owner_id: key.ownerId,
          owner_type: key.ownerType,
          expires_at: key.expiresAt?.toISOString() ?? null,
          models: key.models,
          operations: key.operations,
        },
      });
      return { key, pending };
    });
    await this.events.publish([pending]);
    return { key, secret: generated.secret };
  }

  async list(actor: Principal, ownerId: string | undefined): Promise<ApiKeyView[]> {
    if (ownerId !== undefined && ownerId !== actor.id && !isAdmin(actor, this.config)) {
      throw new IdentityException('forbidden', "only administrators list other principals' keys");
    }
    return this.keys.listByOwner(ownerId ?? actor.id);
  }

  /** Owners revoke their own keys, admins any key. Someone else's key is "not found", as a missing one. */
  async revoke(actor: Principal, id: string): Promise<ApiKeyView> {
    const existing = await this.keys.get(id);
    if (!existing || (existing.ownerId !== actor.id && !isAdmin(actor, this.config))) {
      throw new IdentityException('not_found', 'no such key');
    }
    const result = await this.db.transaction(async (tx) => {
      const key = await this.keys.revoke(tx, id);
      if (!key) return undefined;
      const pending = await this.events.record(tx, key.ownerId, actorOf(actor), {
        type: 'identity.key_revoked',
        data: { key_id: key.id, owner_id: key.ownerId, owner_type: key.ownerType },
      });
      return { key, pending };
    });
    this.cache.invalidate(id);
    if (!result) return existing; // already revoked: idempotent
    await this.events.publish([result.pending]);
    return result.key;
  }
}

export function apiKeyJson(k: ApiKeyView): Record<string, unknown> {
  return {
    id: k.id,
    name: k.name,
    owner: { id: k.ownerId, type: k.ownerType },
    models: k.models,
    operations: k.operations,
    created_by: k.createdBy,
    created_at: k.createdAt.toISOString(),
    expires_at: k.expiresAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
    last_used_at: k.lastUsedAt?.toISOString() ?? null,
  };
}
