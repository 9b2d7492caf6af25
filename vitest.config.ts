import { defineConfig } from 'vitest/config';

/**
 * One config, three tiers picked with `--mode`:
 * unit (`*.spec.ts`, no I/O), int (`*.int.spec.ts`, real NATS/Redis/Docker), e2e (`*.e2e.spec.ts`, the whole stack).
 */
const tiers = {
  unit: { include: ['**/*.spec.ts'], exclude: ['**/*.int.spec.ts', '**/*.e2e.spec.ts'], timeout: 5_000 },
  int: { include: ['**/*.int.spec.ts'], exclude: [], timeout: 30_000 },
  e2e: { include: ['**/*.e2e.spec.ts'], exclude: [], timeout: 180_000 },
} as const;

export default defineConfig(({ mode }) => {
  const tier = tiers[mode as keyof typeof tiers] ?? tiers.unit;
  return {
    resolve: { conditions: ['@lichen/source'] },
    // NestJS needs legacy decorators with their type metadata, as tsc emits them for the build.
    oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
    ssr: { resolve: { conditions: ['@lichen/source'] } },
    test: {
      include: [...tier.include],
      exclude: ['**/node_modules/**', '**/dist/**', ...tier.exclude],
      testTimeout: tier.timeout,
      hookTimeout: tier.timeout,
      passWithNoTests: false,
      fileParallelism: mode === 'unit',
    },
  };
});
