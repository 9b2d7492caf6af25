const units: Readonly<Record<string, number>> = { s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600 };

/** A route's `rateLimit`: at most `count` messages per `seconds`, with bursts of up to `count`. */
export interface RateLimit {
  readonly count: number;
  readonly seconds: number;
}

export type RateLimitResult = { ok: true; limit: RateLimit } | { ok: false; problem: string };

/** Reads `100/s`, `5/min`, `1000/h` (also `second`, `minute`, `hour`; `/10s` for a span of seconds). */
export function parseRateLimit(text: string): RateLimitResult {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*([a-z]+)\s*$/.exec(text);
  const unit = match && units[match[3] as string];
  if (!match || !unit)
    return { ok: false, problem: `"${text}" is not a rate: write <count>/<unit>, e.g. 100/s, 5/min or 1000/h` };
  const count = Number(match[1]);
  const span = match[2] === '' ? 1 : Number(match[2]);
  if (count < 1 || span < 1) return { ok: false, problem: `"${text}" allows nothing: the count and the span must be at least 1` };
  return { ok: true, limit: { count, seconds: span * unit } };
}

/**
 * A token bucket for one route: full at the start, refilled continuously at the limit's rate. `take` says
 * whether one more message may pass now. `now` is in milliseconds (injected, for tests).
 */
export class TokenBucket {
  #tokens: number;
  #at: number;
  readonly #perMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = limit.count;
    this.#at = now();
    this.#perMs = limit.count / (limit.seconds * 1_000);
  }

  take(): boolean {
    const at = this.now();
    this.#tokens = Math.min(this.limit.count, this.#tokens + (at - this.#at) * this.#perMs);
    this.#at = at;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
