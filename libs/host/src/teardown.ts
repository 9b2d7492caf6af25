import type { Logger } from '@lichen/logging';

/**
 * What to undo when the runtime stops, or when its start fails half-way: steps run last-added first, each one's
 * failure logged and passed over. The whole run is bounded: past the deadline the remaining steps are left, so a
 * handler that never returns cannot keep the process from stopping.
 */
export class Teardown {
  readonly #steps: (() => Promise<unknown>)[] = [];

  constructor(private readonly logger: Logger) {}

  add(step: () => Promise<unknown>): void {
    this.#steps.push(step);
  }

  /** Resolves true when every step ran in time, false when the deadline left some undone. */
  async run(deadlineMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const done = this.#runAll().then(() => true as const);
    const inTime = await Promise.race([done, late]);
    clearTimeout(timer);
    if (!inTime) this.logger.warn({ deadlineMs }, 'stopping took too long: leaving the services that have not stopped');
    return inTime;
  }

  async #runAll(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      await step().catch((error: unknown) => this.logger.error({ err: error }, 'stopping failed'));
    }
  }
}
