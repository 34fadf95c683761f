import { type DynamicModule, Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource, type MixedList } from 'typeorm';
import { openDataSource } from '@modelgate/event-store';
import { ReadinessRegistry } from '../health/readiness';

export interface DatabaseOptions {
  readonly url: string;
  /** Each service owns one Postgres schema; its migrations table lives there too. */
  readonly schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function>;
}

class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** TypeORM over Postgres: migrations run at start (never `synchronize`), `SELECT 1` for readiness. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: [ReadinessRegistry],
          useFactory: async (readiness: ReadinessRegistry) => {
            const dataSource = await openDataSource(options);
            await dataSource.runMigrations({ transaction: 'each' });
            readiness.register({
              name: 'postgres',
              check: async () => void (await dataSource.query('SELECT 1')),
            });
            return dataSource;
          },
        },
        {
          provide: DatabaseLifecycle,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new DatabaseLifecycle(ds),
        },
      ],
      exports: [DataSource],
    };
  }
}
