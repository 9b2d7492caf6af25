import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['0s', 0],
    ['2m500ms', 120_500],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each(['5 minutes', '30', '', '1d', '10us', 's', '-5s', '1m 30s', '5M'])('refuses "%s" and says what it takes', (text) => {
    expect(parseDuration(text)).toEqual({ ok: false, reason: `"${text}" is not a duration (use 500ms, 30s, 5m, 1h)` });
  });

  it("refuses what Node's timers cannot wait for (they would fire at once)", () => {
    expect(parseDuration('596h')).toEqual({ ok: true, ms: 596 * 3_600_000 });
    expect(parseDuration('1000h')).toEqual({ ok: false, reason: '"1000h" is too long (at most 596h)' });
  });
});
