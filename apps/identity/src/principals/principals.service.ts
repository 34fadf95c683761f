import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CachingApiKeyStore } from '@modelgate/auth';
import type { Actor } from '@modelgate/contracts';
import { IdentityEventLog } from '../events/identity-event-log';
import { principalStream } from '../events/identity-events';
import { DisabledPrincipalRepository, type DisabledPrincipal } from './disabled-principal.repository';
import { DisabledPrincipals } from './disabled-principals';

/** Disabling users: by an administrator, or because LDAP says the owner is gone or disabled. */
@Injectable()
export class PrincipalsService {
  constructor(
    private readonly db: DataSource,
    private readonly repository: DisabledPrincipalRepository,
    private readonly events: IdentityEventLog,
    private readonly disabled: DisabledPrincipals,
    private readonly apiKeyCache: CachingApiKeyStore,
  ) {}

  /**
   * Disables a user for good (v1 has no "enabled again" event): its keys and tokens stop
   * here at once, on other replicas and in decision when `identity.principal_disabled`
   * arrives. Idempotent: a second call changes nothing and publishes nothing.
   */
  async disableUser(
    userId: string,
    reason: string,
    actor: Actor,
  ): Promise<{ principal: DisabledPrincipal; changed: boolean }> {
    const inserted = await this.db.transaction(async (tx) => {
      const row = await this.repository.insert(tx, {
        principalId: userId,
        principalType: 'user',
        reason,
        disabledBy: actor.id,
      });
      if (row) {
        await this.events.record(tx, principalStream(userId), actor, {
          type: 'identity.principal_disabled',
          data: { principal_id: userId, principal_type: 'user' },
        });
      }
      return row;
    });
    this.disabled.add('user', userId);
    this.apiKeyCache.invalidateOwner(userId);
    if (inserted) return { principal: inserted, changed: true };
    return { principal: (await this.repository.get('user', userId))!, changed: false };
  }
}

export function disabledPrincipalJson(p: DisabledPrincipal): Record<string, unknown> {
  return {
    id: p.principalId,
    type: p.principalType,
    reason: p.reason,
    disabled_by: p.disabledBy,
    disabled_at: p.disabledAt.toISOString(),
  };
}
