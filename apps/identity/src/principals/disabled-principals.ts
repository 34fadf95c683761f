import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PrincipalType } from '@modelgate/auth';
import { LOGGER } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import { DisabledPrincipalRepository } from './disabled-principal.repository';

/** How often the set is read again from Postgres: bounds the delay on a replica that missed an event. */
export const DISABLED_REFRESH_MS = 10_000;

const keyOf = (type: string, id: string) => `${type}:${id}`;

/**
 * The disabled principals, in memory, for the check every request makes: a token identity
 * or an OIDC issuer signed before its principal was disabled must stop working at once,
 * not at its `exp`. Fed by this replica's writes and by identity events (other replicas),
 * and read again from Postgres every {@link DISABLED_REFRESH_MS}. Disabling is one-way in
 * v1, so the set only grows between refreshes.
 */
@Injectable()
export class DisabledPrincipals implements OnModuleInit, OnApplicationShutdown {
  private keys = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: DisabledPrincipalRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'disabled principals: refresh failed; keeping the last set'),
      );
    }, DISABLED_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const fresh = new Set(await this.repository.allKeys());
    // Keep what events added since the query started: the set only grows.
    for (const k of this.keys) fresh.add(k);
    this.keys = fresh;
  }

  add(type: PrincipalType, id: string): void {
    this.keys.add(keyOf(type, id));
  }

  has(type: PrincipalType, id: string): boolean {
    return this.keys.has(keyOf(type, id));
  }
}
