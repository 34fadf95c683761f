import { describe, expect, it } from 'vitest';
import { parseConsoleConfig } from './console-config';

describe('parseConsoleConfig', () => {
  it('reads the OIDC settings, with openid as the default scope', () => {
    expect(
      parseConsoleConfig({ oidc: { issuer: 'http://127.0.0.1:3100', client_id: 'modelgate-console' } }),
    ).toEqual({
      oidc: { issuer: 'http://127.0.0.1:3100', client_id: 'modelgate-console', scope: 'openid' },
    });
  });
  it('has no single sign-on without an oidc section', () => {
    expect(parseConsoleConfig({})).toEqual({ oidc: null });
  });
  it('names the bad field', () => {
    expect(() => parseConsoleConfig([])).not.toThrow();
    expect(() => parseConsoleConfig(null)).toThrow('config.json: expected an object');
    expect(() => parseConsoleConfig({ oidc: { client_id: 'x' } })).toThrow('oidc.issuer');
    expect(() => parseConsoleConfig({ oidc: { issuer: 'http://x' } })).toThrow('oidc.client_id');
    expect(() => parseConsoleConfig({ oidc: { issuer: 'javascript:alert(1)', client_id: 'x' } })).toThrow(
      'oidc.issuer: expected an http(s) URL',
    );
  });
});
