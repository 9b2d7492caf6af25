import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './registry.js';

describe('createMetricsRegistry', () => {
  it('has the process metrics under lichen_', async () => {
    const text = await createMetricsRegistry().metrics();
    expect(text).toMatch(/^lichen_process_cpu_seconds_total [\d.]+$/m);
    expect(text).toMatch(/^lichen_nodejs_heap_size_used_bytes \d+$/m);
  });

  it('has no gauge named like a counter', async () => {
    const text = await createMetricsRegistry().metrics();
    const gaugesWithTotal = [...text.matchAll(/^# TYPE (\S+_total) gauge$/gm)].map((match) => match[1]);
    expect(gaugesWithTotal).toEqual([]);
  });

  it('gives every registry its own metrics', () => {
    expect(createMetricsRegistry()).not.toBe(createMetricsRegistry());
  });
});
