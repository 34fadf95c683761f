import { EVENT_STORE_MIGRATIONS } from '@modelgate/event-store';
import { CreateIdentity1764700000000 } from './1764700000000-create-identity';
import { IdentityOutbox1764800000000 } from './1764800000000-identity-outbox';

/** Identity's schema: its own tables, the event store (events + outbox), then the outbox switch-over. */
export const IDENTITY_MIGRATIONS = [
  ...EVENT_STORE_MIGRATIONS,
  CreateIdentity1764700000000,
  IdentityOutbox1764800000000,
];
