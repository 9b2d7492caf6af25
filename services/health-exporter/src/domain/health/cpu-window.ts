import { cpuUtilization, type CpuTotals } from './cpu-utilization.js';

interface Sample {
  atMs: number;
  totals: CpuTotals;
}

/**
 * CPU use over a window of wall time, not since the last reading: a `lichen.health.get` that arrives a few
 * milliseconds after a heartbeat would otherwise see a handful of kernel ticks and often read 0. Each reading
 * is compared with the newest earlier one at least `windowMs` old; until there is one, with the oldest kept,
 * and for the very first reading, with boot (the average since the machine started).
 */
export class CpuWindow {
  readonly #samples: Sample[] = [];

  constructor(private readonly windowMs = 10_000) {}

  utilization(totals: CpuTotals, atMs: number): number {
    const baseline = this.#baseline(atMs);
    this.#samples.push({ atMs, totals });
    this.#forgetOlderThan(atMs - 2 * this.windowMs);
    return cpuUtilization(baseline ?? { busySeconds: 0, totalSeconds: 0 }, totals);
  }

  #baseline(atMs: number): CpuTotals | undefined {
    let baseline = this.#samples[0];
    for (const sample of this.#samples) {
      if (atMs - sample.atMs >= this.windowMs) baseline = sample;
    }
    return baseline?.totals;
  }

  /** Keeps the newest sample old enough to be a baseline, and everything younger. */
  #forgetOlderThan(cutoffMs: number): void {
    for (let next = this.#samples[1]; next && next.atMs <= cutoffMs; next = this.#samples[1]) this.#samples.shift();
  }
}
