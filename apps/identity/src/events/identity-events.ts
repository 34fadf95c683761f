import type { PrincipalType } from '@modelgate/auth';

/**
 * Events identity publishes on `modelgate.identity.events.v1` (stream `principal:<id>`,
 * Kafka key = principal id). Wire names and v1 data shapes are fixed once published.
 */
export interface KeyCreatedV1 {
  readonly key_id: string;
  readonly name: string;
  readonly owner_id: string;
  readonly owner_type: PrincipalType;
  readonly expires_at: string | null;
  readonly models: readonly string[] | null;
  readonly operations: readonly string[] | null;
}

export interface KeyRevokedV1 {
  readonly key_id: string;
  readonly owner_id: string;
  readonly owner_type: PrincipalType;
}

export interface ServiceAccountCreatedV1 {
  readonly service_account_id: string;
  readonly name: string;
  readonly roles: readonly string[];
}

export interface PrincipalDisabledV1 {
  readonly principal_id: string;
  readonly principal_type: PrincipalType;
}

export type IdentityEvent =
  | { readonly type: 'identity.key_created'; readonly data: KeyCreatedV1 }
  | { readonly type: 'identity.key_revoked'; readonly data: KeyRevokedV1 }
  | { readonly type: 'identity.service_account_created'; readonly data: ServiceAccountCreatedV1 }
  | { readonly type: 'identity.principal_disabled'; readonly data: PrincipalDisabledV1 };

export const IDENTITY_EVENT_SCHEMA_VERSION = 1;

export const principalStream = (principalId: string): string => `principal:${principalId}`;
