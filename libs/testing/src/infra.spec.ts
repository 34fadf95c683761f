import { createServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { hostPort, infraEndpoints, probeInfra, tcpReachable } from './infra';

describe('infraEndpoints', () => {
  it('defaults to the dev stack', () => {
    expect(infraEndpoints({})).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/modelgate',
      redisUrl: 'redis://127.0.0.1:6379',
      ldapUrl: 'ldap://127.0.0.1:10389',
      oidcIssuer: 'http://127.0.0.1:3100',
    });
  });

  it('reads the environment', () => {
    const endpoints = infraEndpoints({
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      DATABASE_URL: 'postgres://u@db:5433/x',
      REDIS_URL: 'redis://r:6380',
      LDAP_URL: 'ldaps://ldap.test',
      DEV_IDP_ISSUER: 'http://idp.test:3100/',
    });
    expect(endpoints.kafkaBrokers).toEqual(['k1:9092', 'k2:9093']);
    expect(endpoints.databaseUrl).toBe('postgres://u@db:5433/x');
    expect(endpoints.oidcIssuer).toBe('http://idp.test:3100');
  });
});

describe('hostPort', () => {
  it.each([
    ['127.0.0.1:9092', '127.0.0.1', 9092],
    ['postgres://postgres@127.0.0.1:5432/modelgate', '127.0.0.1', 5432],
    ['postgres://db/x', 'db', 5432],
    ['redis://r', 'r', 6379],
    ['ldap://h', 'h', 389],
    ['ldaps://h', 'h', 636],
    ['[::1]:9092', '::1', 9092],
  ])('%s → %s:%d', (address, host, port) => {
    expect(hostPort(address)).toEqual({ host, port });
  });
});

const servers: Array<{ close: (cb: () => void) => unknown }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function tcpListener(): Promise<number> {
  const server: Server = createTcpServer((socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server: Server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('probeInfra (loopback listeners, no real infrastructure)', () => {
  it('tells an open port from a closed one', async () => {
    expect(await tcpReachable({ host: '127.0.0.1', port: await tcpListener() })).toBe(true);
    expect(await tcpReachable({ host: '127.0.0.1', port: await closedPort() })).toBe(false);
  });

  it('names exactly the pieces that do not answer', async () => {
    const open = await tcpListener();
    const closed = await closedPort();
    const idp = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: `http://127.0.0.1:${(idp.address() as AddressInfo).port}` }));
    });
    servers.push(idp);
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;

    const missing = await probeInfra(
      {
        kafkaBrokers: [`127.0.0.1:${closed}`, `127.0.0.1:${open}`],
        databaseUrl: `postgres://postgres@127.0.0.1:${closed}/modelgate`,
        redisUrl: `redis://127.0.0.1:${open}`,
        ldapUrl: `ldap://127.0.0.1:${closed}`,
        oidcIssuer: issuer,
      },
      { timeoutMs: 500 },
    );
    expect(missing).toEqual(['postgres', 'ldap']);
  });

  it('counts an issuer whose discovery document names another issuer as missing', async () => {
    const idp = createServer((req, res) => res.end(JSON.stringify({ issuer: 'http://elsewhere' })));
    servers.push(idp);
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const open = await tcpListener();
    const missing = await probeInfra({
      kafkaBrokers: [`127.0.0.1:${open}`],
      databaseUrl: `postgres://127.0.0.1:${open}/x`,
      redisUrl: `redis://127.0.0.1:${open}`,
      ldapUrl: `ldap://127.0.0.1:${open}`,
      oidcIssuer: `http://127.0.0.1:${(idp.address() as AddressInfo).port}`,
    });
    expect(missing).toEqual(['oidc']);
  });
});
