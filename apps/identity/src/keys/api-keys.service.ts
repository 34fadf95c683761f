import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CachingApiKeyStore, generateApiKey, type Principal } from '@modelgate/auth';
import { CONFIG } from '@modelgate/service-kit';
import type { IdentityConfig } from '../config';
import { isAdmin } from '../auth/admin';
import { IdentityException } from '../errors/identity.exception';
import { IdentityEventLog } from '../events/identity-event-log';
import { principalStream } from '../events/identity-events';
import { actorOf } from '../service-accounts/service-accounts.service';
import { ServiceAccountRepository } from '../service-accounts/service-account.repository';
import { decodeCursor, encodeCursor, pageOf, unknownCursorItem, type Page } from '../pagination/cursor';
import { ApiKeyRepository, type ApiKeyView } from './api-key.repository';
import type { KeyListQuery } from './keys.dto';

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
    private readonly events: IdentityEventLog,
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
    const key = await this.db.transaction(async (tx) => {
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
      await this.events.record(tx, principalStream(owner.id), actorOf(actor), {
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
      return key;
    });
    return { key, secret: generated.secret };
  }

  async list(actor: Principal, query: KeyListQuery): Promise<Page<ApiKeyView>> {
    const ownerId = query.owner ?? actor.id;
    if (ownerId !== actor.id && !isAdmin(actor, this.config)) {
      throw new IdentityException('forbidden', "only administrators list other principals' keys");
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, `keys:${ownerId}`);
    const rows = await this.keys.listByOwner(ownerId, query.limit + 1, after);
    if (!rows) throw unknownCursorItem();
    return pageOf(rows, query.limit, (k) => encodeCursor(k.id, `keys:${ownerId}`));
  }

  /** Owners revoke their own keys, admins any key. Someone else's key is "not found", as a missing one. */
  async revoke(actor: Principal, id: string): Promise<ApiKeyView> {
    const existing = await this.keys.get(id);
    if (!existing || (existing.ownerId !== actor.id && !isAdmin(actor, this.config))) {
      throw new IdentityException('not_found', 'no such key');
    }
    const revoked = await this.db.transaction(async (tx) => {
      const key = await this.keys.revoke(tx, id);
      if (!key) return undefined;
      await this.events.record(tx, principalStream(key.ownerId), actorOf(actor), {
        type: 'identity.key_revoked',
        data: { key_id: key.id, owner_id: key.ownerId, owner_type: key.ownerType },
      });
      return key;
    });
    // This replica at once; the others when the event reaches their cache consumers.
    this.cache.invalidate(id);
    return revoked ?? existing; // already revoked: idempotent, no second event
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
