import { describe, expect, it } from 'vitest';
import { parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['500M', 500_000_000],
    ['1.5G', 1_500_000_000],
    ['1.1G', 1_100_000_000],
    ['64k', 64_000],
    ['6Mi', 6 * 2 ** 20],
    ['134217728', 134_217_728],
    [' 256Mi ', 256 * 2 ** 20],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseQuantity(text)).toEqual({ ok: true, bytes });
  });

  it('rounds a fraction of a byte up', () => {
    expect(parseQuantity('1.5')).toEqual({ ok: true, bytes: 2 });
  });

  it.each(['12XB', '128MB', '128m', '128 Mi', '-1Gi', 'Mi', '', '1e9', '1.Gi'])('refuses "%s"', (text) => {
    expect(parseQuantity(text)).toEqual({ ok: false, reason: `"${text}" is not a quantity` });
  });

  it('refuses a quantity too large to count in bytes exactly', () => {
    expect(parseQuantity('16E')).toEqual({ ok: false, reason: '"16E" is too large' });
  });
});
