import { describe, expect, it } from 'vitest';
import { Sampler } from './sampler.js';

const passed = (sampler: Sampler, count: number) => Array.from({ length: count }, () => sampler.take()).filter(Boolean).length;

describe('Sampler', () => {
  it('passes the share it is given, evenly', () => {
    const quarter = new Sampler(0.25);
    expect(Array.from({ length: 8 }, () => quarter.take())).toEqual([false, false, false, true, false, false, false, true]);
    expect(passed(new Sampler(0.1), 1_000)).toBe(100);
    expect(passed(new Sampler(1), 10)).toBe(10);
  });
});
