export { openDataSource, type DataSourceOptions } from './data-source';
export { CreateEventStore1764600000000 } from './migrations/1764600000000-create-event-store';
export { ConcurrencyError } from './concurrency.error';
export type {
  EventMetadata,
  ExpectedVersion,
  NewEvent,
  OutboxMessage,
  Snapshot,
  StoredEvent,
} from './event-store.types';
export {
  OUTBOX_CHANNEL,
  PostgresEventStore,
  type AppendOptions,
  type AppendResult,
  type SqlExecutor,
} from './postgres-event-store';
export type { OutboxPublisher, RelayedMessage } from './outbox/outbox-publisher.port';
export {
  OutboxRelay,
  type OutboxRelayOptions,
  type RelayLogger,
  type RelayStats,
} from './outbox/outbox-relay';
export { outboxLag, type OutboxLag } from './outbox/outbox-lag';

import { CreateEventStore1764600000000 } from './migrations/1764600000000-create-event-store';
/** The event store's migrations, in order, for a service that stores events. */
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1764600000000];
