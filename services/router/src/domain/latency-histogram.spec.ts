import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, LatencyHistogram } from './latency-histogram.js';

describe('LatencyHistogram', () => {
  it('counts each latency in the first bucket whose bound it does not pass', () => {
    const histogram = new LatencyHistogram();
    for (const seconds of [0.00001, 0.00005, 0.0003, 2]) histogram.observe(seconds);
    expect(histogram.counts[0]).toBe(2);
    expect(histogram.counts[LATENCY_BUCKETS.indexOf(0.0005)]).toBe(1);
    expect(histogram.counts[LATENCY_BUCKETS.length]).toBe(1);
    expect([histogram.count, histogram.sum]).toEqual([4, 2.00036]);
  });
});
