import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  /** Connection URL of the fresh database. */
  readonly url: string;
  readonly name: string;
  /** Drops the database (terminating leftover connections first). */
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file, so tests never share state. Created on the
 * server DATABASE_URL points at (the dev cluster by default) and dropped afterwards.
 */
export async function createTestDatabase(
  baseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/modelgate',
): Promise<TestDatabase> {
  const name = `modelgate_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(baseUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdmin(baseUrl, async (c) => {
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS "${name}"`);
      }),
  };
}

async function withAdmin<T>(baseUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: baseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
