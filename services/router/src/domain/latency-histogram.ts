/** Seconds from a message's arrival to its delivery: microseconds for a subject, a round trip for a model. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/**
 * A route's delivery latencies, as bucket counts: observing is a short loop over plain numbers, on the hot path;
 * the metrics read it at scrape time.
 */
export class LatencyHistogram {
  /** Per bucket of `LATENCY_BUCKETS`, not cumulative; the last counts what is above every bound. */
  readonly counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[bucket] as number)) bucket++;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.sum += seconds;
    this.count++;
  }
}
