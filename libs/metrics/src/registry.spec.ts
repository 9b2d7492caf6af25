import { Gauge } from 'prom-client';
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

  it('keeps what is registered in one registry out of another', async () => {
    const one = createMetricsRegistry();
    new Gauge({ name: 'lichen_test_only_here', help: 'A gauge of one registry.', registers: [one] }).set(1);
    expect(await one.metrics()).toContain('lichen_test_only_here 1');
    expect(await createMetricsRegistry().metrics()).not.toContain('lichen_test_only_here');
  });
});
