import { Inject, Injectable } from '@nestjs/common';
import { policyStreamId, POLICY_STATE_TYPE, type Actor, type PolicyStateV1 } from '@modelgate/contracts';
import {
  ConcurrencyError,
  PostgresEventStore,
  type OutboxMessage,
  type StoredEvent,
} from '@modelgate/event-store';
import { createEnvelope, encodeEnvelope } from '@modelgate/messaging';
import { ACL_EVENT_SCHEMA, foldEvents, type AclEvent } from './domain/acl-events';
import { AclError } from './domain/acl-error';
import { emptyState, exists, type AclState } from './domain/acl-state';
import { POLICY_TOPICS, type PolicyTopics } from './acl-topics';
import { AclReadModelRepository } from './read-model/acl-read-model.repository';

/** Who writes, from where, and within which request: stored as each event's metadata. */
export interface WriteContext {
  readonly actor: Actor;
  readonly requestId: string;
  readonly traceparent: string | null;
  readonly userAgent: string | null;
}

/** A snapshot every this many events keeps loading a long stream cheap. */
const SNAPSHOT_EVERY = 50;
/** Retries of a write without If-Match that lost a race: it is re-decided on the newer state. */
const MAX_ATTEMPTS = 10;

export interface WriteResult {
  readonly state: AclState;
  /** False when the command changed nothing (no event was appended). */
  readonly changed: boolean;
}

/** One pattern's stream: load (snapshot + tail), decide, append with outbox and read model in one transaction. */
@Injectable()
export class AclStreamRepository {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly readModel: AclReadModelRepository,
    @Inject(POLICY_TOPICS) private readonly topics: PolicyTopics,
  ) {}

  async load(pattern: string): Promise<AclState> {
    const stream = policyStreamId(pattern);
    const snapshot = await this.store.loadSnapshot<AclState>(stream);
    const base = snapshot?.state ?? emptyState(pattern);
    return foldEvents(base, await this.store.readStream(stream, { fromSequence: base.version + 1 }));
  }

  /** Every event of the stream with the state before and after it (oldest first). */
  async history(pattern: string): Promise<{ event: StoredEvent; before: AclState; after: AclState }[]> {
    const events = await this.store.readStream(policyStreamId(pattern));
    const out: { event: StoredEvent; before: AclState; after: AclState }[] = [];
    let state = emptyState(pattern);
    for (const event of events) {
      const next = foldEvents(state, [event]);
      out.push({ event, before: state, after: next });
      state = next;
    }
    return out;
  }

  async loadAt(pattern: string, version: number): Promise<AclState> {
    const events = await this.store.readStream(policyStreamId(pattern), { toSequence: version });
    return foldEvents(emptyState(pattern), events);
  }

  /**
   * Runs a command: `decide` sees the current state and returns the events. With
   * `ifMatch` the state must be at that version (else `version_mismatch`, 412); without,
   * a lost race is retried on the newer state, so no concurrent update is lost.
   */
  async write(
    pattern: string,
    ifMatch: number | undefined,
    decide: (state: AclState) => Promise<AclEvent[]> | AclEvent[],
    context: WriteContext,
  ): Promise<WriteResult> {
    for (let attempt = 1; ; attempt += 1) {
      const state = await this.load(pattern);
      if (ifMatch !== undefined && state.version !== ifMatch)
        throw versionMismatch(pattern, ifMatch, state.version);
      const events = await decide(state);
      if (events.length === 0) return { state, changed: false };
      try {
        return { state: await this.append(state, events, context), changed: true };
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        if (ifMatch !== undefined) throw versionMismatch(pattern, ifMatch, error.actualVersion);
        if (attempt >= MAX_ATTEMPTS)
          throw new AclError('write_conflict', `${pattern} is being changed by others; try again`);
        // A little jitter so that the racers do not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }

  private async append(state: AclState, events: AclEvent[], context: WriteContext): Promise<AclState> {
    const stream = policyStreamId(state.pattern);
    let after = state;
    const result = await this.store.append(
      stream,
      state.version,
      events.map((e) => ({
        type: e.type,
        schemaVersion: ACL_EVENT_SCHEMA,
        data: e.data as unknown as Record<string, unknown>,
        metadata: {
          actor: context.actor,
          traceparent: context.traceparent,
          correlation_id: context.requestId,
          request_id: context.requestId,
          user_agent: context.userAgent,
        },
      })),
      {
        outbox: (stored) => {
          after = foldEvents(state, stored);
          return this.outboxMessages(after, stored, context);
        },
        within: (tx) => this.readModel.project(tx, after),
      },
    );
    if (Math.floor(result.version / SNAPSHOT_EVERY) > Math.floor(state.version / SNAPSHOT_EVERY)) {
      await this.store.saveSnapshot(stream, after.version, after);
    }
    return after;
  }

  /** Each event to the events topic; the resulting state (or a tombstone) to the compacted state topic. */
  private outboxMessages(
    after: AclState,
    stored: readonly StoredEvent[],
    context: WriteContext,
  ): OutboxMessage[] {
    const messages: OutboxMessage[] = stored.map((event) => {
      const envelope = createEnvelope({
        id: event.id,
        type: event.type,
        schema: event.schemaVersion,
        stream: event.streamId,
        sequence: event.sequence,
        actor: context.actor,
        traceparent: context.traceparent,
        occurredAt: event.occurredAt,
        data: event.data,
      });
      const encoded = encodeEnvelope(envelope, after.pattern);
      return {
        eventId: event.id,
        topic: this.topics.events,
        key: after.pattern,
        payload: envelope,
        headers: Object.fromEntries(Object.entries(encoded.headers ?? {}).map(([k, v]) => [k, String(v)])),
      };
    });
    const last = stored.at(-1)!;
    const value: PolicyStateV1 | null = exists(after)
      ? {
          model: after.pattern,
          version: after.version,
          enforce: after.enforce,
          shadow: after.shadow,
          updated_at: last.occurredAt.toISOString(),
        }
      : null;
    messages.push({
      eventId: last.id,
      topic: this.topics.state,
      key: after.pattern,
      payload: value,
      headers: {
        'event-type': POLICY_STATE_TYPE,
        'event-id': last.id,
        'policy-version': String(after.version),
      },
    });
    return messages;
  }
}

function versionMismatch(pattern: string, expected: number, actual: number | undefined): AclError {
  return new AclError(
    'version_mismatch',
    `${pattern} is at version ${actual ?? 'newer'}, not ${expected}; read it again and reapply your change`,
  );
}
