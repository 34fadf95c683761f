import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PostgresEventStore } from '@modelgate/event-store';
import { foldEvents } from '../../domain/acl-events';
import { emptyState, type AclState } from '../../domain/acl-state';
import { AclReadModelRepository } from '../../read-model/acl-read-model.repository';
import type { RebuildReadModelCommand } from './rebuild-read-model.command';

const STREAM_PREFIX = 'acl:';

/**
 * Rebuilds `acl_documents` from the events in one transaction. The table lock comes
 * first: appends committed before it are read, appends after it wait to project until
 * the rebuild commits (and then win by version). Readers see the old rows until then.
 */
@Injectable()
export class RebuildReadModelHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: PostgresEventStore,
    private readonly readModel: AclReadModelRepository,
  ) {}

  async execute(command: RebuildReadModelCommand): Promise<{ patterns: number; events: number }> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`LOCK TABLE acl_documents IN EXCLUSIVE MODE`);
      const states = new Map<string, AclState>();
      let position = '0';
      let events = 0;
      for (;;) {
        const batch = await this.store.readAll(position, command.batchSize, tx);
        if (batch.length === 0) break;
        for (const event of batch) {
          if (!event.streamId.startsWith(STREAM_PREFIX)) continue;
          const pattern = event.streamId.slice(STREAM_PREFIX.length);
          states.set(pattern, foldEvents(states.get(pattern) ?? emptyState(pattern), [event]));
          events += 1;
        }
        position = batch.at(-1)!.globalPosition;
      }
      await tx.query(`DELETE FROM acl_documents`);
      for (const state of states.values()) await this.readModel.project(tx, state);
      return { patterns: states.size, events };
    });
  }
}
