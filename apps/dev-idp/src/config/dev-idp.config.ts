// The dev IdP's configuration: read from the environment once, validated at boot; a bad
// value stops start-up with the variable's name. Secrets are marked and never logged.
import { resolve } from 'node:path';

export interface DevIdpConfig {
  readonly port: number;
  readonly bindAddress: string;
  /** Exactly the `iss` of every token, e.g. `http://127.0.0.1:3100` (no trailing slash). */
  readonly issuer: string;
  /** Resource indicator and `aud` of the access tokens. */
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly dataDir: string;
  readonly testsClientSecret: string;
  readonly ldap: {
    readonly url: string;
    readonly bindDn: string;
    readonly bindPassword: string;
    readonly userBase: string;
    readonly groupBase: string;
  };
}

/** Variables whose values must never be printed. */
export const SENSITIVE_VARIABLES = ['LDAP_BIND_PASSWORD', 'DEV_IDP_TESTS_CLIENT_SECRET'] as const;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value.trim() !== value) throw new ConfigError(name, 'must not start or end with spaces');
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, fallback: string, protocols: readonly string[]): string {
  const value = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${value}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return value;
}

function dn(env: Env, name: string, fallback: string): string {
  const value = text(env, name, fallback);
  if (!/^[A-Za-z][\w-]*=[^,]+(,[A-Za-z][\w-]*=[^,]+)*$/.test(value.replace(/\\./g, '_'))) {
    throw new ConfigError(name, `must be an LDAP distinguished name, got "${value}"`);
  }
  return value;
}

export function loadDevIdpConfig(env: Env = process.env, cwd: string = process.cwd()): DevIdpConfig {
  const port = integer(env, 'DEV_IDP_PORT', 3100, 1, 65535);
  const issuer = url(env, 'DEV_IDP_ISSUER', `http://127.0.0.1:${port}`, ['http:', 'https:']);
  const parsedIssuer = new URL(issuer);
  if (issuer.endsWith('/') || parsedIssuer.search !== '' || parsedIssuer.hash !== '') {
    throw new ConfigError(
      'DEV_IDP_ISSUER',
      `must have no trailing slash, query or fragment, got "${issuer}"`,
    );
  }
  return {
    port,
    bindAddress: text(env, 'DEV_IDP_BIND_ADDRESS', text(env, 'BIND_ADDRESS', '127.0.0.1')),
    issuer,
    audience: text(env, 'DEV_IDP_AUDIENCE', 'modelgate'),
    accessTokenTtlSeconds: integer(env, 'DEV_IDP_ACCESS_TOKEN_TTL', 900, 30, 86_400),
    dataDir: resolve(cwd, text(env, 'DEV_IDP_DATA_DIR', '.run/data/dev-idp')),
    testsClientSecret: text(env, 'DEV_IDP_TESTS_CLIENT_SECRET', 'modelgate-tests-secret'),
    ldap: {
      url: url(env, 'LDAP_URL', 'ldap://127.0.0.1:10389', ['ldap:', 'ldaps:']),
      bindDn: dn(env, 'LDAP_BIND_DN', 'cn=modelgate,ou=services,dc=company,dc=com'),
      bindPassword: text(env, 'LDAP_BIND_PASSWORD', 'modelgate-service-password'),
      userBase: dn(env, 'LDAP_USER_BASE', 'ou=people,dc=company,dc=com'),
      groupBase: dn(env, 'LDAP_GROUP_BASE', 'ou=groups,dc=company,dc=com'),
    },
  };
}

/** The configuration as it may be logged: secrets replaced. */
export function redactedConfig(config: DevIdpConfig): Record<string, unknown> {
  return {
    ...config,
    testsClientSecret: '[redacted]',
    ldap: { ...config.ldap, bindPassword: '[redacted]' },
  };
}
