// Each service as the process that production runs (apps/<app>/dist/main.js, built by
// ./dev): it validates its configuration, becomes ready against the real Kafka and
// Postgres, and stops cleanly on SIGTERM.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@modelgate/testing';
import { freePort, startService as start, waitReady } from '../support/processes';

const SERVICES = ['gateway', 'identity', 'policy', 'decision', 'audit'] as const;
/**
 * The gateway is ready only with a decision service to ask, so its start is covered by the
 * end-to-end suite (test/e2e), which runs the whole stack.
 */
const STANDALONE = ['identity', 'policy', 'decision', 'audit'] as const;

describe('service processes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it.each(STANDALONE)(
    '%s becomes ready on real infrastructure, serves health and stops on SIGTERM',
    async (service) => {
      const port = await freePort();
      const run = start(service, {
        PORT: String(port),
        BIND_ADDRESS: '127.0.0.1',
        DATABASE_URL: db.url,
        // The decision service's gRPC port and spool too, so that a running dev stack is no obstacle.
        GRPC_PORT: String(await freePort()),
        SPOOL_DIR: mkdtempSync(join(tmpdir(), 'decision-spool-')),
      });
      try {
        const ready = await waitReady(port, run);
        const body = (await ready.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
        expect(body.ready).toBe(true);
        expect(Object.keys(body.checks)).toContain('kafka');
        if (['identity', 'policy', 'audit'].includes(service))
          expect(Object.keys(body.checks)).toContain('postgres');
        const live = await fetch(`http://127.0.0.1:${port}/health/live`, {
          headers: { 'x-request-id': 'trace-me-1' },
        });
        expect(live.status).toBe(200);
        expect(live.headers.get('x-request-id')).toBe('trace-me-1');
        const missing = await fetch(`http://127.0.0.1:${port}/no/such/route`);
        expect(missing.status).toBe(404);
        expect(await missing.json()).toMatchObject({ error: { type: 'not_found_error' } });
      } finally {
        run.child.kill('SIGTERM');
      }
      expect(await run.exited).toBe(0);
      expect(run.output()).not.toMatch(/"level":"(error|fatal)"/);
    },
  );

  it.each(SERVICES)('%s refuses to start on a bad value and names the variable', async (service) => {
    const run = start(service, { PORT: 'eighty', KAFKA_BROKERS: 'no-port-here', DATABASE_URL: db.url });
    expect(await run.exited).toBe(78);
    expect(run.output()).toMatch(/PORT: expected a TCP port number/);
    expect(run.output()).toMatch(/KAFKA_BROKERS: expected a comma-separated list of host:port/);
  });

  it('a service whose database is unreachable does not become ready and exits with the reason', async () => {
    const port = await freePort();
    const run = start('policy', {
      PORT: String(port),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/failed to start/);
  });
});
