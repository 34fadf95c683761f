import type { GroupRoleMap, PrincipalType } from '@modelgate/auth';
import type { IdentityStreamRef } from './identity-event-log';

/**
 * Events identity publishes on `modelgate.identity.events.v1` (stream `principal:<id>`,
 * Kafka key = principal id; the role mapping has its own stream). Wire names and v1 data
 * shapes are fixed once published.
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

/** The group → role mapping identity applies changed (GROUP_ROLE_MAP differs from the last start's). */
export interface RoleMappingChangedV1 {
  /** The mapping before; null when identity had announced none yet. */
  readonly previous: GroupRoleMap | null;
  readonly current: GroupRoleMap;
  /** Groups whose roles differ (added, removed or changed), sorted. */
  readonly changed_groups: readonly string[];
}

export type IdentityEvent =
  | { readonly type: 'identity.key_created'; readonly data: KeyCreatedV1 }
  | { readonly type: 'identity.key_revoked'; readonly data: KeyRevokedV1 }
  | { readonly type: 'identity.service_account_created'; readonly data: ServiceAccountCreatedV1 }
  | { readonly type: 'identity.principal_disabled'; readonly data: PrincipalDisabledV1 }
  | { readonly type: 'identity.role_mapping_changed'; readonly data: RoleMappingChangedV1 };

export const IDENTITY_EVENT_SCHEMA_VERSION = 1;

export const principalStream = (principalId: string): IdentityStreamRef => ({
  stream: `principal:${principalId}`,
  key: principalId,
});

/** The role mapping is one stream of its own; its Kafka key names it, as no principal does. */
export const ROLE_MAPPING_STREAM: IdentityStreamRef = { stream: 'role_mapping:groups', key: 'role_mapping' };
