import type { Serving } from './served-subscription.js';

/** Everything a bus serves (subscriptions, durable consumers), so that it can all be stopped at once. */
export class ServingRegistry {
  readonly #servings = new Set<Serving>();
  #stopping = false;

  /** Adds a serving; false once the bus is stopping, when nothing new may start. */
  add(serving: Serving): boolean {
    if (this.#stopping) return false;
    this.#servings.add(serving);
    return true;
  }

  /** Stops one serving and forgets it. */
  async remove(serving: Serving): Promise<void> {
    this.#servings.delete(serving);
    await serving.stop();
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  get inFlight(): number {
    let count = 0;
    for (const serving of this.#servings) count += serving.inFlight;
    return count;
  }

  /** Stops every serving together and waits for all of them. */
  async stopAll(): Promise<void> {
    this.#stopping = true;
    await Promise.all([...this.#servings].map((serving) => serving.stop()));
  }
}
