/** The restart rules, as Greengrass has them by default (10 s x 2^n up to 300 s, 3 errors in 1 h, reset after 10 min). */
export interface RestartTimings {
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /** Errors within `errorWindowMs` that make a component BROKEN. */
  readonly maxErrors: number;
  readonly errorWindowMs: number;
  /** A component healthy this long starts again from zero: no recent errors, the shortest backoff. */
  readonly resetAfterMs: number;
}

export const defaultRestartTimings: RestartTimings = {
  backoffBaseMs: 10_000,
  backoffMaxMs: 300_000,
  maxErrors: 3,
  errorWindowMs: 3_600_000,
  resetAfterMs: 600_000,
};

/** Restart bookkeeping per component: errors in the window, and the exponential backoff before the next start. */
export class RestartBook {
  private readonly errors = new Map<string, number[]>();
  private readonly attempts = new Map<string, number>();

  constructor(private readonly timings: RestartTimings) {}

  /** Records an error; `broken` once `maxErrors` fell within the window. */
  recordError(name: string, now: number): { broken: boolean; recentErrors: number } {
    const recent = (this.errors.get(name) ?? []).filter((at) => now - at < this.timings.errorWindowMs);
    recent.push(now);
    this.errors.set(name, recent);
    return { broken: recent.length >= this.timings.maxErrors, recentErrors: recent.length };
  }

  /** How long to wait before the next restart, and counts that restart: base x 2^n, capped. */
  nextDelay(name: string): number {
    const attempt = this.attempts.get(name) ?? 0;
    this.attempts.set(name, attempt + 1);
    return Math.min(this.timings.backoffBaseMs * 2 ** attempt, this.timings.backoffMaxMs);
  }

  recentErrors(name: string, now: number): number {
    return (this.errors.get(name) ?? []).filter((at) => now - at < this.timings.errorWindowMs).length;
  }

  /** A new deployment or config change reinstalls a component: it starts with a clean slate. */
  forget(name: string): void {
    this.errors.delete(name);
    this.attempts.delete(name);
  }

  get errorWindowMs(): number {
    return this.timings.errorWindowMs;
  }

  get resetAfterMs(): number {
    return this.timings.resetAfterMs;
  }
}
