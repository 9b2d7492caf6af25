export interface SharedReadOptions {
  /** How long a settled result is handed out again; 500 ms by default. */
  readonly maxAgeMs?: number;
  /** The clock, in milliseconds; tests pass a fake. */
  readonly now?: () => number;
}

/**
 * One read shared by many concurrent callers. prom-client asks every metric for its value at once on each
 * scrape, and each of them needs the same reading: the first caller starts the read, the others get its
 * promise, and the result is handed out again until it is `maxAgeMs` old. A failed read is not kept: the
 * next caller after it settles starts a new one.
 */
export class SharedRead<T> {
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private current: Promise<T> | undefined;
  /** When `current` settled with a value; undefined while it is in flight. */
  private settledAt: number | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    options: SharedReadOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 500;
    this.now = options.now ?? Date.now;
  }

  get(): Promise<T> {
    const fresh = this.settledAt === undefined || this.now() - this.settledAt < this.maxAgeMs;
    if (this.current && fresh) return this.current;
    const read = this.load();
    this.current = read;
    this.settledAt = undefined;
    read.then(
      () => {
        if (this.current === read) this.settledAt = this.now();
      },
      () => {
        if (this.current === read) this.current = undefined;
      },
    );
    return read;
  }
}
