import { describe, expect, it } from 'vitest';
import { publicClientOriginAllowed, staticClients } from './clients';

const consoleUris = staticClients('secret')[0]!.redirect_uris!;

describe('publicClientOriginAllowed', () => {
  it('allows the origins of the registered redirect URIs', () => {
    expect(publicClientOriginAllowed('http://127.0.0.1:8080', consoleUris)).toBe(true);
    expect(publicClientOriginAllowed('http://localhost:8080', consoleUris)).toBe(true);
  });

  it('allows a loopback origin on another port (a gateway on a free port)', () => {
    expect(publicClientOriginAllowed('http://127.0.0.1:41234', consoleUris)).toBe(true);
  });

  it('refuses other hosts, https look-alikes, paths and the opaque origin', () => {
    for (const origin of [
      'http://evil.example',
      'http://127.0.0.1.evil.example:8080',
      'https://127.0.0.1:8080',
      'http://10.0.0.1:8080',
      'http://127.0.0.1:8080/console',
      'null',
      '',
      'javascript:alert(1)',
    ])
      expect(publicClientOriginAllowed(origin, consoleUris), origin).toBe(false);
  });

  it('refuses a loopback origin when no loopback redirect URI is registered', () => {
    expect(publicClientOriginAllowed('http://127.0.0.1:1234', ['https://console.example.com/cb'])).toBe(
      false,
    );
  });
});
