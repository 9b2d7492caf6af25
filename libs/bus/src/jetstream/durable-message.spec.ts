import { describe, expect, it } from 'vitest';
import { retryDelay } from './durable-message.js';

describe('retryDelay', () => {
  it('doubles with each delivery from the first delay, up to the bound', () => {
    const options = { retryDelayMs: 100, maxRetryDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((count) => retryDelay(count, options))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('waits 1 s doubling to 60 s by default', () => {
    expect(retryDelay(1, {})).toBe(1_000);
    expect(retryDelay(20, {})).toBe(60_000);
  });
});
