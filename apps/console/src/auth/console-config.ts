// Runtime settings of the console, read from config.json beside index.html so that a
// deployment points the console at its issuer without rebuilding it.
import type { OidcSettings } from './oidc-client';

export interface ConsoleConfig {
  readonly oidc: OidcSettings | null;
}

export function parseConsoleConfig(json: unknown): ConsoleConfig {
  if (typeof json !== 'object' || json === null) throw new Error('config.json: expected an object');
  const oidc = (json as Record<string, unknown>)['oidc'];
  if (oidc === undefined || oidc === null) return { oidc: null };
  if (typeof oidc !== 'object') throw new Error('config.json: oidc: expected an object');
  const o = oidc as Record<string, unknown>;
  for (const field of ['issuer', 'client_id'] as const) {
    if (typeof o[field] !== 'string' || o[field] === '')
      throw new Error(`config.json: oidc.${field}: expected a non-empty string`);
  }
  const issuer = o['issuer'] as string;
  if (!/^https?:\/\//.test(issuer)) throw new Error('config.json: oidc.issuer: expected an http(s) URL');
  return {
    oidc: {
      issuer,
      client_id: o['client_id'] as string,
      scope: typeof o['scope'] === 'string' && o['scope'] !== '' ? o['scope'] : 'openid',
    },
  };
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  if (!response.ok) return { oidc: null };
  return parseConsoleConfig(await response.json());
}
