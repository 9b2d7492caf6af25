import { isDeepStrictEqual } from 'node:util';

/**
 * The keys of `desired` whose values the server's config does not have. Only keys given (and not undefined)
 * count: the server fills in every default, and a key left out means "whatever the server keeps". Values are
 * compared as the server reports them (durations in nanoseconds, as in the config sent).
 */
export function changedKeys(desired: object, actual: object): string[] {
  const current = actual as Record<string, unknown>;
  return Object.entries(desired)
    .filter(([key, value]) => value !== undefined && !isDeepStrictEqual(value, current[key]))
    .map(([key]) => key);
}
