import { didYouMean } from './closest-name.js';
import { parseDuration } from './duration.js';
import type { Violation } from './violation.js';

/**
 * Collects the semantic checks' violations. It knows which paths the shape check already reported (and left
 * out of the document), so a value of the wrong type or a misspelled field is not also reported as missing,
 * and the checks under a part that was not even a mapping are skipped.
 */
export class ValidationContext {
  readonly violations: Violation[] = [];

  constructor(private readonly rejected: ReadonlySet<string>) {}

  report(path: string, reason: string): void {
    this.violations.push({ path, reason });
  }

  /** True when the shape check reported this path or a part that holds it. */
  wasRejected(path: string): boolean {
    for (let at = path; at !== ''; at = parentPath(at)) if (this.rejected.has(at)) return true;
    return this.rejected.has('');
  }

  /** Reports `required` unless the field was given in a wrong shape (already reported). */
  require(path: string, value: string, what: string): boolean {
    if (value !== '') return true;
    if (!this.wasRejected(path)) this.report(path, `required (${what})`);
    return false;
  }

  /** One of a few names, or the default when left out. */
  choice<T extends string>(path: string, value: string, allowed: readonly T[], fallback: T): T {
    if (value === '') return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.report(
      path,
      `must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, got "${value}"${didYouMean(value, allowed)}`,
    );
    return fallback;
  }

  /** A duration in ms, or the default when left out; zero only where `allowZero` says it means something. */
  duration(path: string, value: string, fallbackMs: number, options: { allowZero?: boolean } = {}): number {
    if (value === '') return fallbackMs;
    const parsed = parseDuration(value);
    if (!parsed.ok) this.report(path, parsed.reason);
    else if (parsed.ms === 0 && !options.allowZero) this.report(path, `must be longer than 0`);
    else return parsed.ms;
    return fallbackMs;
  }
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut < 0 ? '' : path.slice(0, cut);
}
