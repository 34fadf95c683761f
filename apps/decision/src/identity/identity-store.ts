// What identity told us that a check must respect even while a caller's credential is still
// valid elsewhere (a JWT issued before its principal was disabled, a cached API key): disabled
// principals, revoked keys, and which principal owns each key (so that disabling a user also
// stops the user's keys). Pure; the feed hands it events. All of it only grows: v1 has no
// "enabled again" event, so every event is idempotent without sequence tracking.
import { z } from 'zod';
import type { EventEnvelope } from '@modelgate/contracts';

const principalType = z.enum(['user', 'api_key', 'service_account']);
const IDENTITY_EVENT_DATA_V1 = {
  'identity.principal_disabled': z.object({ principal_id: z.string().min(1), principal_type: principalType }),
  'identity.key_revoked': z.object({
    key_id: z.string().min(1),
    owner_id: z.string().min(1),
    owner_type: principalType,
  }),
  'identity.key_created': z.object({
    key_id: z.string().min(1),
    owner_id: z.string().min(1),
    owner_type: principalType,
  }),
} as const;

export type IdentityDenial = 'principal_disabled' | 'key_revoked';
export type IdentityOutcome = 'applied' | 'ignored' | { readonly invalid: string };

/** `type:id` as the index normalises it (user ids are mail addresses, lower-cased). */
function principalKey(type: string, id: string): string {
  return `${type}:${type === 'user' ? id.toLowerCase() : id}`;
}

export class IdentityStore {
  private readonly disabled = new Set<string>();
  private readonly revokedKeys = new Set<string>();
  private readonly keyOwners = new Map<string, string>();

  get disabledCount(): number {
    return this.disabled.size;
  }

  get revokedKeyCount(): number {
    return this.revokedKeys.size;
  }

  apply(envelope: EventEnvelope): IdentityOutcome {
    if (!(envelope.type in IDENTITY_EVENT_DATA_V1)) return 'ignored'; // e.g. service_account_created
    if (envelope.schema !== 1)
      return { invalid: `unsupported schema ${envelope.schema} of ${envelope.type}` };
    const type = envelope.type as keyof typeof IDENTITY_EVENT_DATA_V1;
    const parsed = IDENTITY_EVENT_DATA_V1[type].safeParse(envelope.data);
    if (!parsed.success) {
      return {
        invalid: `${type}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
      };
    }
    const data = parsed.data as Record<string, string>;
    switch (type) {
      case 'identity.principal_disabled':
        this.disabled.add(principalKey(data['principal_type']!, data['principal_id']!));
        break;
      case 'identity.key_revoked':
        this.revokedKeys.add(data['key_id']!);
        this.keyOwners.set(data['key_id']!, principalKey(data['owner_type']!, data['owner_id']!));
        break;
      case 'identity.key_created':
        this.keyOwners.set(data['key_id']!, principalKey(data['owner_type']!, data['owner_id']!));
        break;
    }
    return 'applied';
  }

  /** Why identity's events forbid this principal, or null. */
  denial(principal: { readonly id: string; readonly type: string }): IdentityDenial | null {
    if (this.disabled.size === 0 && this.revokedKeys.size === 0) return null;
    if (this.disabled.has(principalKey(principal.type, principal.id))) return 'principal_disabled';
    if (principal.type !== 'api_key') return null;
    if (this.revokedKeys.has(principal.id)) return 'key_revoked';
    const owner = this.keyOwners.get(principal.id);
    return owner !== undefined && this.disabled.has(owner) ? 'principal_disabled' : null;
  }
}
