import { describe, expect, it } from 'vitest';
import type { Principal } from '@modelgate/auth';
import { decisionPrincipalOf, keyScopeExcludes } from './decision-principal';

const user: Principal = {
  id: 'alice@company.com',
  type: 'user',
  roles: ['researcher'],
  groups: ['researchers'],
  credential: { kind: 'identity_token', issuer: 'http://identity' },
};
const key: Principal = {
  ...user,
  id: 'bob@company.com',
  roles: ['partner'],
  credential: {
    kind: 'api_key',
    issuer: 'http://identity',
    keyId: '0123456789abcdef',
    models: ['qwen3-vl-*'],
    operations: ['infer', 'view'],
  },
};

describe('decisionPrincipalOf', () => {
  it('is the user for tokens and the key (with its owner roles) for API keys', () => {
    expect(decisionPrincipalOf(user)).toEqual({
      id: 'alice@company.com',
      type: 'user',
      roles: ['researcher'],
      groups: ['researchers'],
    });
    expect(decisionPrincipalOf(key)).toEqual({
      id: '0123456789abcdef',
      type: 'api_key',
      roles: ['partner'],
      groups: ['researchers'],
    });
  });
});

describe('key scope', () => {
  it('narrows models by pattern and operations exactly', () => {
    expect(keyScopeExcludes(key, 'qwen3-vl-demo', 'infer')).toBeNull();
    expect(keyScopeExcludes(key, 'qwen3-medical', 'infer')).toBe('model');
    expect(keyScopeExcludes(key, 'qwen3-vl-demo', 'download')).toBe('operation');
    expect(keyScopeExcludes(key, 'QWEN3-VL-DEMO', 'infer')).toBe('model');
    expect(keyScopeExcludes(user, 'anything', 'train')).toBeNull();
  });

  it('an empty scope admits nothing', () => {
    const none: Principal = { ...key, credential: { ...key.credential, models: [], operations: [] } };
    expect(keyScopeExcludes(none, 'qwen3-vl-demo', 'infer')).toBe('model');
    expect(keyScopeExcludes(none, 'qwen3-vl-demo', 'view')).toBe('model');
  });
});
