import { describe, expect, it } from 'vitest';
import { parseRateLimit, TokenBucket } from './rate-limit.js';

describe('parseRateLimit', () => {
  it('reads a count per unit', () => {
    expect(parseRateLimit('100/s')).toEqual({ ok: true, limit: { count: 100, seconds: 1 } });
    expect(parseRateLimit('5/min')).toEqual({ ok: true, limit: { count: 5, seconds: 60 } });
    expect(parseRateLimit('1000 / hour')).toEqual({ ok: true, limit: { count: 1000, seconds: 3600 } });
    expect(parseRateLimit('3/10s')).toEqual({ ok: true, limit: { count: 3, seconds: 10 } });
  });

  it('says what a rate looks like when it is not one', () => {
    expect(parseRateLimit('fast')).toEqual({
      ok: false,
      problem: '"fast" is not a rate: write <count>/<unit>, e.g. 100/s, 5/min or 1000/h',
    });
    expect(parseRateLimit('10/day')).toMatchObject({ ok: false });
    expect(parseRateLimit('0/s')).toMatchObject({ ok: false, problem: expect.stringContaining('allows nothing') });
  });
});

describe('TokenBucket', () => {
  it('lets a burst of count through, then the rate', () => {
    let now = 0;
    const bucket = new TokenBucket({ count: 2, seconds: 1 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    now = 499;
    expect(bucket.take()).toBe(false);
    now = 500;
    expect(bucket.take()).toBe(true);
    now = 10_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
