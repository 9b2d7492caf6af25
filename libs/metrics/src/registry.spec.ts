import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './registry.js';

describe('createMetricsRegistry', () => {
  it('has the process metrics under lichen_, labelled with the service', async () => {
    const text = await createMetricsRegistry('router').metrics();
    expect(text).toMatch(/^lichen_process_cpu_seconds_total\{service="router"\} [\d.]+$/m);
    expect(text).toMatch(/^lichen_nodejs_heap_size_used_bytes\{service="router"\} \d+$/m);
  });

  it('has no gauge named like a counter', async () => {
    const text = await createMetricsRegistry('router').metrics();
    const gaugesWithTotal = [...text.matchAll(/^# TYPE (\S+_total) gauge$/gm)].map((match) => match[1]);
    expect(gaugesWithTotal).toEqual([]);
  });

  it('gives every registry its own metrics', async () => {
    const a = createMetricsRegistry('a');
    const b = createMetricsRegistry('b');
    expect(a).not.toBe(b);
    expect(await b.metrics()).not.toContain('service="a"');
  });
});
