// One lint configuration for the whole workspace: type-aware rules, Prettier for layout,
// and Nx module boundaries so that the domain never depends on frameworks or apps.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const FRAMEWORKS = [
  '@nestjs/*',
  'fastify',
  'kafkajs',
  'typeorm',
  'pg',
  'ioredis',
  '@grpc/*',
  'ldapts',
  'express',
];

const TAGS = ['type:domain', 'type:contracts', 'type:infra', 'type:util'];

/**
 * Which project may import which, by tag. Test files may also use the test harness
 * (`type:testing`); production code never can.
 */
function boundaries(inTests) {
  const extra = inTests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    banTransitiveDependencies: false,
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: [...TAGS, ...extra] },
      { sourceTag: 'type:infra', onlyDependOnLibsWithTags: [...TAGS, ...extra] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...extra] },
      {
        sourceTag: 'type:domain',
        onlyDependOnLibsWithTags: ['type:domain', 'type:util', ...extra],
        bannedExternalImports: FRAMEWORKS,
      },
      {
        sourceTag: 'type:contracts',
        onlyDependOnLibsWithTags: ['type:contracts', 'type:util', ...extra],
        bannedExternalImports: FRAMEWORKS,
      },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [...TAGS, 'type:testing', 'type:app'] },
      { sourceTag: 'type:bench', onlyDependOnLibsWithTags: [...TAGS, 'type:testing'] },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '.run/**',
      '.nx/**',
      'apps/console/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Nest's DI needs the runtime class import of constructor parameter types.
      '@typescript-eslint/consistent-type-imports': 'off',
      // Relative imports that leave a project are caught by @nx/enforce-module-boundaries.
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
    },
  },
  {
    // Tests may use loose typing against untyped fixtures.
    // An app's src/testing/ holds support for its own integration tests only.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'test/**/*.ts', 'apps/*/src/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries(true)],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
