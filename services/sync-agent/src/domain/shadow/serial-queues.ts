/**
 * Runs work one at a time per key, in the order it was asked for, and different keys side by side: requests to
 * one shadow read, change and write it without another request slipping in between. A failed piece of work fails
 * only its own caller; the next one runs all the same.
 */
export class SerialQueues {
  /** The last piece of work of each busy key, settled either way; gone once the key is idle. */
  readonly #tails = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** How many keys have work queued or running. */
  get busy(): number {
    return this.#tails.size;
  }

  /** Resolves once every piece of work asked for so far (and any asked for meanwhile) has finished. */
  async settled(): Promise<void> {
    while (this.#tails.size > 0) await Promise.all(this.#tails.values());
  }
}
