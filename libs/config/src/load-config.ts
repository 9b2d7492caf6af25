import { z } from 'zod';
import { LichenError } from '@lichen/errors';

/** Every problem found in the configuration, each naming the variable it is about (also as `violations`). */
export class ConfigError extends LichenError {
  constructor(readonly problems: readonly string[]) {
    super('CONFIG_INVALID', 'invalid-argument', `invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      violations: problems.map((problem) => {
        const [path = '', reason = problem] = problem.split(/: (.*)/s, 2);
        return { path, reason };
      }),
    });
    this.name = 'ConfigError';
  }
}

/** The process's environment: the one place outside tests that reads `process.env`. */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}

/** `metricsPort` is read from `LICHEN_METRICS_PORT`. */
export function environmentVariable(key: string, prefix = 'LICHEN_'): string {
  return prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

type Shape = Record<string, z.ZodType>;

/**
 * Reads a flat config object from environment variables named after its keys (`LICHEN_` + SNAKE_CASE),
 * validates all of it against the schema, and returns it frozen. Throws a `ConfigError` that lists every
 * problem at once. This is the only place a service reads `process.env`.
 */
export function loadConfig<S extends Shape>(
  shape: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
  prefix = 'LICHEN_',
): Readonly<z.output<z.ZodObject<S>>> {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = env[environmentVariable(key, prefix)];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const result = z.object(shape).safeParse(raw);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        const given = key in raw ? ` (given "${raw[key]}")` : '';
        return `${environmentVariable(key, prefix)}: ${issue.message}${given}`;
      }),
    );
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
