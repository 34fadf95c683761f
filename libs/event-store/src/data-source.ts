import { Client } from 'pg';
import { DataSource, type MixedList } from 'typeorm';

export interface DataSourceOptions {
  readonly url: string;
  /** Postgres schema the service owns; created if absent and first on the search path. */
  readonly schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities?: MixedList<Function>;
  readonly poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens a TypeORM DataSource on the service's own schema. Schema changes happen only
 * through migrations: `synchronize` is off and stays off.
 */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
  await ensureSchema(options.url, options.schema);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrationsRun: false,
    migrations: options.migrations,
    entities: options.entities ?? [],
    migrationsTableName: 'migrations',
    extra: { options: `-c search_path=${options.schema}`, max: options.poolSize ?? 10 },
  });
  return dataSource.initialize();
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
}
