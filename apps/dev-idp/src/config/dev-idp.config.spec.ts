import { describe, expect, it } from 'vitest';
import { ConfigError, loadDevIdpConfig, redactedConfig } from './dev-idp.config';

describe('loadDevIdpConfig', () => {
  it('defaults to the dev stack', () => {
    const config = loadDevIdpConfig({}, '/repo');
    expect(config).toMatchObject({
      port: 3100,
      bindAddress: '127.0.0.1',
      issuer: 'http://127.0.0.1:3100',
      audience: 'modelgate',
      accessTokenTtlSeconds: 900,
      dataDir: '/repo/.run/data/dev-idp',
      ldap: {
        url: 'ldap://127.0.0.1:10389',
        bindDn: 'cn=modelgate,ou=services,dc=company,dc=com',
        userBase: 'ou=people,dc=company,dc=com',
        groupBase: 'ou=groups,dc=company,dc=com',
      },
    });
  });

  it('derives the issuer from DEV_IDP_PORT, and DEV_IDP_ISSUER overrides it', () => {
    expect(loadDevIdpConfig({ DEV_IDP_PORT: '3200' }).issuer).toBe('http://127.0.0.1:3200');
    expect(loadDevIdpConfig({ DEV_IDP_PORT: '3200', DEV_IDP_ISSUER: 'http://idp.test:80' }).issuer).toBe(
      'http://idp.test:80',
    );
  });

  it.each([
    ['DEV_IDP_PORT', 'abc'],
    ['DEV_IDP_PORT', '70000'],
    ['DEV_IDP_ISSUER', 'not a url'],
    ['DEV_IDP_ISSUER', 'http://127.0.0.1:3100/'],
    ['DEV_IDP_ISSUER', 'ftp://127.0.0.1'],
    ['LDAP_URL', 'http://127.0.0.1:10389'],
    ['LDAP_BIND_DN', 'modelgate'],
    ['DEV_IDP_ACCESS_TOKEN_TTL', '5'],
    ['DEV_IDP_AUDIENCE', ' modelgate'],
  ])('stops on a bad %s (%s), naming the variable', (name, value) => {
    expect(() => loadDevIdpConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadDevIdpConfig({ [name]: value })).toThrow(name);
  });

  it('never shows secrets in the loggable form', () => {
    const shown = JSON.stringify(
      redactedConfig(loadDevIdpConfig({ LDAP_BIND_PASSWORD: 'p4ss', DEV_IDP_TESTS_CLIENT_SECRET: 's3cret' })),
    );
    expect(shown).not.toContain('p4ss');
    expect(shown).not.toContain('s3cret');
  });
});
