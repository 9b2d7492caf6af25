/**
 * IEEE 754 half precision (binary16), which JavaScript has no type for: onnxruntime-node takes and gives float16
 * tensors as a `Uint16Array` of the bits. 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits; the largest
 * finite value is 65504, the smallest subnormal 2^-24.
 */

const HALF_MAX_EXPONENT = 15;
const HALF_MIN_NORMAL = 2 ** -14;
/** 65504 plus half its unit in the last place: from here up a value rounds to infinity. */
const HALF_OVERFLOW = 65520;

/**
 * The half-precision bits nearest to `value`, ties to even (IEEE's default rounding), straight from the double
 * so that nothing is rounded twice. Values from 65520 up become infinity; every NaN becomes the quiet NaN 0x7e00.
 */
export function float16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude >= HALF_OVERFLOW) return sign | 0x7c00;
  if (magnitude < HALF_MIN_NORMAL) {
    // Subnormal: a count of 2^-24 units. A count that rounds up to 1024 is the smallest normal, 0x0400, as the bits say.
    return sign | roundHalfEven(magnitude * 2 ** 24);
  }
  let exponent = Math.floor(Math.log2(magnitude));
  // log2 may be off by one next to a power of two; the powers themselves are exact.
  if (2 ** exponent > magnitude) exponent -= 1;
  else if (2 ** (exponent + 1) <= magnitude) exponent += 1;
  const fraction = roundHalfEven((magnitude / 2 ** exponent - 1) * 1024);
  // A fraction that rounds up to 1024 carries into the exponent, which is what the addition does.
  return sign | (((exponent + HALF_MAX_EXPONENT) << 10) + fraction);
}

/** The number that half-precision bits stand for (every half is exactly a double). */
export function float16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - HALF_MAX_EXPONENT);
}

/** `x` rounded to an integer, a tie going to the even one. Exact for the values above (below 2^11, 10 bits kept). */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
