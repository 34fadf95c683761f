export { openDataSource, type DataSourceOptions } from './data-source';
export { CreateEventStore1764600000000 } from './migrations/1764600000000-create-event-store';

import { CreateEventStore1764600000000 } from './migrations/1764600000000-create-event-store';
/** The event store's migrations, in order, for a service that stores events. */
export const EVENT_STORE_MIGRATIONS = [CreateEventStore1764600000000];
