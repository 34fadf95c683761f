/** Who caused an event and from where, plus tracing ids: stored beside every event. */
export interface EventMetadata {
  readonly actor?: { readonly id: string; readonly type: string; readonly ip?: string | null };
  readonly traceparent?: string | null;
  /** The request (or job) that led to the event; every event of one request shares it. */
  readonly correlation_id?: string;
  /** The event or command this event directly follows from. */
  readonly causation_id?: string;
  readonly [key: string]: unknown;
}

/** An event about to be appended. Its sequence is given by the store. */
export interface NewEvent {
  /** Defaults to a random UUID. */
  readonly id?: string;
  /** Stable wire name, dotted and past tense (`acl.rules_replaced`). */
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata?: EventMetadata;
}

/** An event as the store holds it. */
export interface StoredEvent {
  /** Order of the event among all streams; a bigint in Postgres, a decimal string here. */
  readonly globalPosition: string;
  readonly id: string;
  readonly streamId: string;
  /** 1-based position within the stream: the stream's version after this event. */
  readonly sequence: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  readonly occurredAt: Date;
}

/** A Kafka message written in the append's transaction and relayed afterwards. */
export interface OutboxMessage {
  /** The event it is about (one event may give several messages, e.g. event + state). */
  readonly eventId: string;
  readonly topic: string;
  readonly key: string;
  /** JSON value; null publishes a tombstone (compacted topics). */
  readonly payload: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The stream's version before the append: 0 for a new stream. `'any'` skips the check. */
export type ExpectedVersion = number | 'any';

export interface Snapshot<S> {
  readonly streamId: string;
  /** The stream version the state is as of. */
  readonly sequence: number;
  readonly state: S;
  readonly takenAt: Date;
}
