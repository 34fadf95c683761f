// Test tiers (Immich's small / medium / e2e):
//  - unit:        *.spec.ts beside the code, pure logic, no infrastructure at all;
//  - integration: *.int-spec.ts per app/lib and test/**, against the real Kafka, Postgres,
//                 Redis, slapd and OIDC provider that ./dev starts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

interface TsconfigBase {
  compilerOptions: { paths: Record<string, string[]> };
}

const tsconfig = JSON.parse(readFileSync(resolve(__dirname, 'tsconfig.base.json'), 'utf8')) as TsconfigBase;
// Path aliases come from tsconfig.base.json only: one source of truth for the compiler and the tests.
const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [
    name,
    resolve(__dirname, target!),
  ]),
);

// SWC, not esbuild, so that NestJS decorator metadata is emitted in tests as in builds.
const plugins = [
  swc.vite({
    tsconfigFile: false,
    swcrc: false,
    module: { type: 'es6' },
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
  }),
];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.spec.ts', '**/*.int-spec.ts', '**/index.ts', '**/main.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts', 'bench/*/src/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['libs/*/src/**/*.int-spec.ts', 'apps/*/src/**/*.int-spec.ts', 'test/**/*.int-spec.ts'],
          environment: 'node',
          globalSetup: ['./test/support/infra-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores and shared servers: integration files run one after another in one fork.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
