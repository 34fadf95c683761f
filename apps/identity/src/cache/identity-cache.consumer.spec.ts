import { describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@modelgate/contracts';
import { cacheEffectOf } from './identity-cache.consumer';

const envelope = (type: string, data: Record<string, unknown>, schema = 1): EventEnvelope => ({
  id: '00000000-0000-4000-8000-000000000000',
  type,
  schema,
  stream: 'principal:bob@company.com',
  sequence: 1,
  occurred_at: '2026-12-02T00:00:00Z',
  actor: { id: 'admin@company.com', type: 'user' },
  data,
});

describe('cacheEffectOf', () => {
  it('drops the key on key_revoked and the owner on principal_disabled', () => {
    expect(cacheEffectOf(envelope('identity.key_revoked', { key_id: 'k1', owner_id: 'bob' }))).toEqual({
      kind: 'key',
      keyId: 'k1',
    });
    expect(
      cacheEffectOf(
        envelope('identity.principal_disabled', {
          principal_id: 'ci-bot',
          principal_type: 'service_account',
        }),
      ),
    ).toEqual({ kind: 'owner', type: 'service_account', ownerId: 'ci-bot' });
  });

  it.each([
    ['key_created', envelope('identity.key_created', { key_id: 'k1' })],
    ['role_mapping_changed', envelope('identity.role_mapping_changed', { current: {} })],
    ['an unknown type', envelope('identity.something_new', { key_id: 'k1' })],
    ['another schema version', envelope('identity.key_revoked', { key_id: 'k1' }, 2)],
    ['key_revoked without key_id', envelope('identity.key_revoked', {})],
    ['key_revoked with a numeric key_id', envelope('identity.key_revoked', { key_id: 7 })],
    ['key_revoked with an empty key_id', envelope('identity.key_revoked', { key_id: '' })],
    [
      'principal_disabled of an unknown type',
      envelope('identity.principal_disabled', { principal_id: 'x', principal_type: 'root' }),
    ],
    ['principal_disabled without id', envelope('identity.principal_disabled', { principal_type: 'user' })],
    [
      'principal_disabled with an object id',
      envelope('identity.principal_disabled', { principal_id: { $ne: 1 }, principal_type: 'user' }),
    ],
  ])('changes nothing for %s', (_case, e) => {
    expect(cacheEffectOf(e)).toEqual({ kind: 'none' });
  });
});
