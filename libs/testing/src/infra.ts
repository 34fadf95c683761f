// Where the integration tests find the real infrastructure, and a quick check that it
// answers (test/support/infra-global-setup.ts fails fast with the names of the missing).
import { connect } from 'node:net';

export interface InfraEndpoints {
  /** `host:port` of each Kafka bootstrap broker (KAFKA_BROKERS, comma-separated). */
  readonly kafkaBrokers: readonly string[];
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly ldapUrl: string;
  /** Issuer of the dev OpenID Connect provider (DEV_IDP_ISSUER). */
  readonly oidcIssuer: string;
}

export type InfraName = 'kafka' | 'postgres' | 'redis' | 'ldap' | 'oidc';

type Env = Readonly<Record<string, string | undefined>>;

function envOr(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? fallback : value;
}

export function infraEndpoints(env: Env = process.env): InfraEndpoints {
  return {
    kafkaBrokers: envOr(env, 'KAFKA_BROKERS', '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== ''),
    databaseUrl: envOr(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/modelgate'),
    redisUrl: envOr(env, 'REDIS_URL', 'redis://127.0.0.1:6379'),
    ldapUrl: envOr(env, 'LDAP_URL', 'ldap://127.0.0.1:10389'),
    oidcIssuer: envOr(env, 'DEV_IDP_ISSUER', 'http://127.0.0.1:3100').replace(/\/+$/, ''),
  };
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'redis:': 6379,
  'rediss:': 6379,
  'ldap:': 389,
  'ldaps:': 636,
  'http:': 80,
  'https:': 443,
};

/** Host and port of a URL (`postgres://u@h:5432/db`) or a bare `host:port`. */
export function hostPort(address: string): HostPort {
  if (!address.includes('://')) {
    const at = address.lastIndexOf(':');
    if (at <= 0) throw new Error(`expected host:port, got "${address}"`);
    return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
  }
  const url = new URL(address);
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  if (port === undefined) throw new Error(`no default port for ${url.protocol} in "${address}"`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** True when something accepts a TCP connection at `target` within `timeoutMs`. */
export function tcpReachable(target: HostPort, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const done = (ok: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the issuer serves its discovery document, naming itself as issuer. */
export async function oidcReachable(issuer: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return false;
    const body = (await res.json()) as { issuer?: unknown };
    return body.issuer === issuer;
  } catch {
    return false;
  }
}

async function anyReachable(addresses: readonly string[], timeoutMs: number): Promise<boolean> {
  const results = await Promise.all(
    addresses.map((a) => {
      try {
        return tcpReachable(hostPort(a), timeoutMs);
      } catch {
        return Promise.resolve(false);
      }
    }),
  );
  return results.includes(true);
}

/** Names of the pieces of infrastructure that do not answer (empty when all do). */
export async function probeInfra(
  endpoints: InfraEndpoints,
  options: { timeoutMs?: number } = {},
): Promise<InfraName[]> {
  const timeoutMs = options.timeoutMs ?? 1000;
  const checks: ReadonlyArray<readonly [InfraName, Promise<boolean>]> = [
    ['kafka', anyReachable(endpoints.kafkaBrokers, timeoutMs)],
    ['postgres', anyReachable([endpoints.databaseUrl], timeoutMs)],
    ['redis', anyReachable([endpoints.redisUrl], timeoutMs)],
    ['ldap', anyReachable([endpoints.ldapUrl], timeoutMs)],
    ['oidc', oidcReachable(endpoints.oidcIssuer, timeoutMs * 2)],
  ];
  const results = await Promise.all(checks.map(async ([name, ok]) => [name, await ok] as const));
  return results.filter(([, ok]) => !ok).map(([name]) => name);
}
