import nx from '@nx/eslint-plugin';

/**
 * Kinds of project and what they may import: services use libs, libs use libs; the `lichen` command (the one
 * app) puts the services together, and end-to-end tests use everything.
 */
const depConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:service'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:service', 'type:app'] },
];

/** Domain code is plain TypeScript: no framework, no infrastructure (STYLE.md, habit 1). */
const infrastructure = [
  '@nestjs/*',
  '@nats-io/*',
  'dockerode',
  'onnxruntime-node',
  'ioredis',
  'prom-client',
  'mqtt',
  'pino',
  'node:fs',
  'node:fs/*',
  'node:http',
  'node:net',
  'node:child_process',
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/src/gen/**', '.nx/**', '.lichen/**', 'helm/**', 'compose/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: infrastructure,
              message: 'domain code imports no framework or infrastructure: put it behind a port in adapters/',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**', 'libs/testing/**', '**/*.spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read configuration once, through @lichen/config' },
      ],
    },
  },
  { files: ['services/**/*.ts', 'libs/**/*.ts'], ignores: ['libs/cli/**', '**/*.spec.ts'], rules: { 'no-console': 'error' } },
  { files: ['**/*.spec.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
];
