/**
 * Wakes a loop that waits for something to happen: a wake-up with nobody waiting is remembered, so the next wait
 * returns at once and none is lost between two waits.
 */
export class WakeSignal {
  #woken = false;
  #wake: (() => void) | undefined;

  wake(): void {
    const wake = this.#wake;
    if (!wake) {
      this.#woken = true;
      return;
    }
    this.#wake = undefined;
    wake();
  }

  /** Resolves at the next wake-up (at once if one came since the last wait), or after `timeoutMs` when given. */
  wait(timeoutMs?: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              if (this.#wake === wake) this.#wake = undefined;
              resolve();
            }, timeoutMs);
      this.#wake = wake;
    });
  }
}
