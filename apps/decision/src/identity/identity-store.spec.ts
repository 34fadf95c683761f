import { describe, expect, it } from 'vitest';
import { createEnvelope } from '@modelgate/messaging';
import { IdentityStore } from './identity-store';

const ACTOR = { id: 'admin@company.com', type: 'user' };
let sequence = 0;
const event = (type: string, data: Record<string, unknown>, schema = 1) =>
  createEnvelope({ type, schema, stream: 'principal:p', sequence: ++sequence, actor: ACTOR, data });

describe('IdentityStore', () => {
  it('denies a disabled principal, whatever the case of a user id', () => {
    const store = new IdentityStore();
    expect(store.denial({ id: 'alice@company.com', type: 'user' })).toBeNull();
    expect(
      store.apply(
        event('identity.principal_disabled', { principal_id: 'Alice@Company.com', principal_type: 'user' }),
      ),
    ).toBe('applied');
    expect(store.denial({ id: 'alice@company.com', type: 'user' })).toBe('principal_disabled');
    expect(store.denial({ id: 'ALICE@company.com', type: 'user' })).toBe('principal_disabled');
    expect(store.denial({ id: 'alice@company.com', type: 'service_account' })).toBeNull();
  });

  it('denies a revoked key, and the keys of a disabled owner', () => {
    const store = new IdentityStore();
    store.apply(
      event('identity.key_created', {
        key_id: 'k1',
        name: 'ci',
        owner_id: 'bob@company.com',
        owner_type: 'user',
        expires_at: null,
        models: null,
        operations: null,
      }),
    );
    store.apply(
      event('identity.key_created', {
        key_id: 'k2',
        name: 'ci',
        owner_id: 'carol@company.com',
        owner_type: 'user',
        expires_at: null,
        models: null,
        operations: null,
      }),
    );
    store.apply(
      event('identity.key_revoked', { key_id: 'k2', owner_id: 'carol@company.com', owner_type: 'user' }),
    );
    expect(store.denial({ id: 'k1', type: 'api_key' })).toBeNull();
    expect(store.denial({ id: 'k2', type: 'api_key' })).toBe('key_revoked');
    store.apply(
      event('identity.principal_disabled', { principal_id: 'bob@company.com', principal_type: 'user' }),
    );
    expect(store.denial({ id: 'k1', type: 'api_key' })).toBe('principal_disabled');
  });

  it('ignores events it does not need and rejects malformed ones', () => {
    const store = new IdentityStore();
    expect(
      store.apply(
        event('identity.service_account_created', { service_account_id: 's', name: 's', roles: [] }),
      ),
    ).toBe('ignored');
    expect(
      store.apply(event('identity.principal_disabled', { principal_id: '', principal_type: 'user' })),
    ).toHaveProperty('invalid');
    expect(
      store.apply(event('identity.principal_disabled', { principal_id: 'x', principal_type: 'user' }, 2)),
    ).toHaveProperty('invalid');
    expect(store.disabledCount).toBe(0);
  });
});
