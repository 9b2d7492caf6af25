/**
 * Passes a steady share of messages: `sample: 0.25` passes exactly every fourth, evenly spaced, so a route's
 * output rate is predictable (and testable) rather than random.
 */
export class Sampler {
  #credit = 0;

  constructor(private readonly share: number) {}

  take(): boolean {
    if (this.share >= 1) return true;
    this.#credit += this.share;
    if (this.#credit < 1 - 1e-9) return false;
    this.#credit -= 1;
    return true;
  }
}
