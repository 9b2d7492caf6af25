import { describe, expect, it } from 'vitest';
import { float16Bits, float16Value } from './float16.js';

describe('float16', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0, 0x0000],
    [-0, 0x8000],
    [0.5, 0x3800],
    [65504, 0x7bff],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // the smallest normal
    [2 ** -24, 0x0001], // the smallest subnormal
    [1023 * 2 ** -24, 0x03ff], // the largest subnormal
  ])('writes %s as the bits %i and reads them back', (value, bits) => {
    expect(float16Bits(value)).toBe(bits);
    expect(Object.is(float16Value(bits), value)).toBe(true);
  });

  it('rounds 0.1 to the nearest half, 0x2e66 (0.0999755859375)', () => {
    expect(float16Bits(0.1)).toBe(0x2e66);
    expect(float16Value(0x2e66)).toBe(0.0999755859375);
  });

  it('rounds ties to the even neighbour, in normals and subnormals', () => {
    // Between 1 (0x3c00) and 1 + 2^-10 (0x3c01): the tie goes down to the even 0x3c00, just above it goes up.
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 2 ** -11 + 2 ** -30)).toBe(0x3c01);
    // Between 0x3c01 and 0x3c02 the tie goes up to the even one.
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // Half the smallest subnormal ties to zero; three quarters of it rounds to it.
    expect(float16Bits(2 ** -25)).toBe(0x0000);
    expect(float16Bits(3 * 2 ** -26)).toBe(0x0001);
    expect(float16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 units: tie to even 2
    // The largest subnormal plus a tie carries into the smallest normal.
    expect(float16Bits(1023.5 * 2 ** -24)).toBe(0x0400);
    // Rounding up the fraction of 2 - 2^-12 carries into the exponent: 2.
    expect(float16Bits(2 - 2 ** -12)).toBe(0x4000);
  });

  it('overflows to infinity from 65520 (65504 plus half a unit), not before', () => {
    expect(float16Bits(65519.99)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(-1e10)).toBe(0xfc00);
  });

  it('writes every NaN as the quiet NaN and reads NaN bits as NaN', () => {
    expect(float16Bits(NaN)).toBe(0x7e00);
    expect(float16Value(0x7e00)).toBeNaN();
    expect(float16Value(0xfc01)).toBeNaN();
  });

  it('reads and writes back every one of the 65536 halves that is not NaN', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = float16Value(bits);
      if (Number.isNaN(value)) continue;
      if (float16Bits(value) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('agrees with the float32 rounding of values float32 holds exactly', () => {
    // A half's neighbours are float32s: rounding a float32 halfway value must land on the even half.
    for (const bits of [0x3c00, 0x3555, 0x0200, 0x7bfe]) {
      const low = float16Value(bits);
      const high = float16Value(bits + 1);
      const middle = Math.fround((low + high) / 2);
      expect(float16Bits(middle)).toBe(bits % 2 === 0 ? bits : bits + 1);
    }
  });
});
