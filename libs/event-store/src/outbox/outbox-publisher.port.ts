/** One outbox row as it goes to the broker. */
export interface RelayedMessage {
  readonly key: string;
  /** Serialised JSON; null is a tombstone. */
  readonly value: string | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Where the relay sends messages (Kafka in production). `publish` resolves once the
 * broker has acknowledged every message, in the order given. It may take as long as the
 * broker is away: the relay bounds its own wait.
 */
export interface OutboxPublisher {
  publish(topic: string, messages: readonly RelayedMessage[]): Promise<void>;
}
