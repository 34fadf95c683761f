import { Injectable } from '@nestjs/common';
import type { Actor } from '@modelgate/contracts';
import { AclStreamRepository } from '../../acl-stream.repository';
import { diffStates, type AclDiff } from '../../domain/acl-diff';
import { AclError } from '../../domain/acl-error';
import { encodeCursor } from '../command-input';
import type { GetHistoryQuery } from './get-history.query';

export interface HistoryEntry {
  readonly version: number;
  readonly event_id: string;
  readonly type: string;
  readonly schema: number;
  readonly occurred_at: string;
  /** Who, and from which address. */
  readonly actor: Actor | null;
  readonly user_agent: string | null;
  readonly request_id: string | null;
  /** For a rollback: the version restored. */
  readonly rolled_back_to: number | null;
  readonly diff: AclDiff;
}

@Injectable()
export class GetHistoryHandler {
  constructor(private readonly streams: AclStreamRepository) {}

  async execute(query: GetHistoryQuery): Promise<{ items: HistoryEntry[]; nextCursor: string | null }> {
    const history = await this.streams.history(query.pattern);
    if (history.length === 0) throw new AclError('not_found', `no ACL history for ${query.pattern}`);
    const newestFirst = history
      .filter((h) => query.before === null || h.event.sequence < query.before)
      .reverse();
    const page = newestFirst.slice(0, query.limit);
    const items = page.map(({ event, before, after }): HistoryEntry => {
      const meta = event.metadata;
      const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
      return {
        version: event.sequence,
        event_id: event.id,
        type: event.type,
        schema: event.schemaVersion,
        occurred_at: event.occurredAt.toISOString(),
        actor: meta.actor ? { id: meta.actor.id, type: meta.actor.type, ip: meta.actor.ip ?? null } : null,
        user_agent: str(meta['user_agent']),
        request_id: str(meta['request_id']),
        rolled_back_to: typeof event.data['to_version'] === 'number' ? event.data['to_version'] : null,
        diff: diffStates(before, after),
      };
    });
    const more = newestFirst.length > page.length;
    return { items, nextCursor: more ? encodeCursor(page.at(-1)!.event.sequence) : null };
  }
}
