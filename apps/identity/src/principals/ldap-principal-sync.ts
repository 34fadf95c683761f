import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Actor } from '@modelgate/contracts';
import { CONFIG, LOGGER } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { IdentityConfig } from '../config';
import { ApiKeyRepository } from '../keys/api-key.repository';
import type { Directory } from '../ldap/ldap-directory';
import { DIRECTORY } from '../ldap/directory.token';
import { PrincipalsService } from './principals.service';

export const LDAP_SYNC_ACTOR: Actor = { id: 'identity.ldap-sync', type: 'system', ip: null };

export interface LdapSyncReport {
  readonly checked: number;
  readonly disabled: string[];
  /** Owners several entries matched: left alone (disabling cannot be undone in v1), logged. */
  readonly ambiguous: string[];
  /** Set when the directory failed mid-run; the remaining owners wait for the next run. */
  readonly error?: string;
}

/**
 * Keys outlive logins: a user removed from LDAP or disabled there cannot log in any more,
 * but keys they made would keep working. Every LDAP_SYNC_INTERVAL_MS this looks up the
 * owner of every working user key and disables the principal when the directory answers
 * "no such entry" or "disabled". An unreachable directory disables nobody: the run stops
 * and the next one tries again (failing closed here would switch off every key whenever
 * LDAP blips).
 */
@Injectable()
export class LdapPrincipalSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LdapSyncReport> | undefined;
  private stopped = false;

  constructor(
    @Inject(DIRECTORY) private readonly directory: Directory,
    private readonly keys: ApiKeyRepository,
    private readonly principals: PrincipalsService,
    @Inject(CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.LDAP_SYNC_INTERVAL_MS > 0) this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over the key owners; concurrent calls share the pass in progress. */
  runOnce(): Promise<LdapSyncReport> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule());
    }, this.config.LDAP_SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  private async pass(): Promise<LdapSyncReport> {
    const owners = await this.keys.activeUserOwners();
    const disabled: string[] = [];
    const ambiguous: string[] = [];
    let checked = 0;
    for (const owner of owners) {
      if (this.stopped) break;
      let status;
      try {
        status = await this.directory.userStatus(owner);
      } catch (error) {
        this.logger.warn(
          { err: error, checked, owners: owners.length },
          'LDAP sync: directory failed; run stopped',
        );
        return {
          checked,
          disabled,
          ambiguous,
          error: error instanceof Error ? error.message : String(error),
        };
      }
      checked += 1;
      if (status === 'ambiguous') {
        ambiguous.push(owner);
        this.logger.warn(
          { principal_id: owner },
          'LDAP sync: several entries match a key owner; left enabled',
        );
      } else if (status === 'missing' || status === 'disabled') {
        const reason = status === 'missing' ? 'ldap: entry removed' : 'ldap: account disabled';
        const { changed } = await this.principals.disableUser(owner, reason, LDAP_SYNC_ACTOR);
        if (changed) disabled.push(owner);
        this.logger.info({ principal_id: owner, reason }, 'LDAP sync: principal disabled');
      }
    }
    return { checked, disabled, ambiguous };
  }
}
