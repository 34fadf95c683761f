import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { GroupRoleMap } from '@modelgate/auth';
import type { Actor } from '@modelgate/contracts';
import { CONFIG, LOGGER } from '@modelgate/service-kit';
import type { Logger } from '@modelgate/telemetry';
import type { IdentityConfig } from '../config';
import { IdentityEventLog } from '../events/identity-event-log';
import { ROLE_MAPPING_STREAM } from '../events/identity-events';
import { canonicalRoleMap, changedGroups } from './role-mapping-diff';

const STARTUP_ACTOR: Actor = { id: 'identity.startup', type: 'system', ip: null };

/**
 * GROUP_ROLE_MAP is configuration, so it changes only between starts: at start the mapping
 * is compared with the one last announced (Postgres) and, when it differs, stored and
 * announced as `identity.role_mapping_changed` in one transaction (so consumers can, for
 * example, drop cached principals). The first start announces the initial mapping.
 * Replicas starting together are serialised by the stream's lock: one announces, the
 * others find it stored.
 */
@Injectable()
export class RoleMappingAnnouncer implements OnApplicationBootstrap {
  constructor(
    private readonly db: DataSource,
    private readonly events: IdentityEventLog,
    @Inject(CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const changed = await this.announceIfChanged(this.config.GROUP_ROLE_MAP);
    if (changed.length > 0) this.logger.info({ changed_groups: changed }, 'group → role mapping changed');
  }

  /** The groups whose roles changed since the last announcement; empty when nothing did. */
  announceIfChanged(mapping: GroupRoleMap): Promise<string[]> {
    const current = canonicalRoleMap(mapping);
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [ROLE_MAPPING_STREAM.stream]);
      const rows: { mapping: GroupRoleMap }[] = await tx.query(`SELECT mapping FROM role_mapping`);
      const previous = rows[0] ? canonicalRoleMap(rows[0].mapping) : null;
      const changed = changedGroups(previous, current);
      if (previous !== null && changed.length === 0) return [];
      await tx.query(
        `INSERT INTO role_mapping (singleton, mapping) VALUES (true, $1::jsonb)
         ON CONFLICT (singleton) DO UPDATE SET mapping = EXCLUDED.mapping, updated_at = now()`,
        [JSON.stringify(current)],
      );
      await this.events.record(tx, ROLE_MAPPING_STREAM, STARTUP_ACTOR, {
        type: 'identity.role_mapping_changed',
        data: { previous, current, changed_groups: changed },
      });
      return changed;
    });
  }
}
