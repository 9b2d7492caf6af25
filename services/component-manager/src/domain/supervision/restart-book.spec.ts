import { describe, expect, it } from 'vitest';
import { RestartBook } from './restart-book.js';

const timings = { backoffBaseMs: 10_000, backoffMaxMs: 300_000, maxErrors: 3, errorWindowMs: 3_600_000, resetAfterMs: 600_000 };

describe('RestartBook', () => {
  it('doubles the backoff from the base up to the cap', () => {
    const book = new RestartBook(timings);
    const delays = Array.from({ length: 7 }, () => book.nextDelay('sensor'));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('calls a component broken at the third error within the window, not when the errors are spread out', () => {
    const book = new RestartBook(timings);
    expect(book.recordError('a', 0).broken).toBe(false);
    expect(book.recordError('a', 1_000).broken).toBe(false);
    expect(book.recordError('a', 2_000)).toEqual({ broken: true, recentErrors: 3 });

    const spread = new RestartBook(timings);
    spread.recordError('b', 0);
    spread.recordError('b', 3_000_000);
    expect(spread.recordError('b', 3_700_000)).toEqual({ broken: false, recentErrors: 2 });
  });

  it('starts from zero once forgotten: a healthy period, a new deployment or a config change', () => {
    const book = new RestartBook(timings);
    book.recordError('a', 0);
    book.nextDelay('a');
    book.forget('a');
    expect(book.recentErrors('a', 1_000)).toBe(0);
    expect(book.nextDelay('a')).toBe(10_000);
  });
});
