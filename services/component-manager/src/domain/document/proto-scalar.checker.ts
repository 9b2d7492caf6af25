import { ScalarType, type DescEnum, type JsonValue } from '@bufbuild/protobuf';
import { didYouMean } from './closest-name.js';
import { describeValue } from './json-kind.js';
import type { Report } from './violation.js';

const INTEGER_RANGES: Partial<Record<ScalarType, readonly [bigint, bigint]>> = {
  [ScalarType.INT32]: [-(2n ** 31n), 2n ** 31n - 1n],
  [ScalarType.SINT32]: [-(2n ** 31n), 2n ** 31n - 1n],
  [ScalarType.SFIXED32]: [-(2n ** 31n), 2n ** 31n - 1n],
  [ScalarType.UINT32]: [0n, 2n ** 32n - 1n],
  [ScalarType.FIXED32]: [0n, 2n ** 32n - 1n],
  [ScalarType.INT64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [ScalarType.SINT64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [ScalarType.SFIXED64]: [-(2n ** 63n), 2n ** 63n - 1n],
  [ScalarType.UINT64]: [0n, 2n ** 64n - 1n],
  [ScalarType.FIXED64]: [0n, 2n ** 64n - 1n],
};

/**
 * Checks one scalar against its proto type in the proto3 JSON mapping, reporting what is wrong and returning
 * the value `fromJson` accepts, or nothing. Numbers and booleans become strings where a string belongs, as in
 * compose files (`version: 1.2`, env `SAMPLE_HZ: 100`); lists and mappings there are refused.
 */
export function checkScalar(type: ScalarType, value: unknown, path: string, report: Report): JsonValue | undefined {
  switch (type) {
    case ScalarType.STRING:
      if (typeof value === 'string') return value;
      if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') return String(value);
      return void report(path, `expected a string, got ${describeValue(value)}`);
    case ScalarType.BOOL:
      if (typeof value === 'boolean') return value;
      return void report(path, `expected true or false, got ${describe(value)}`);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT: {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number === 'number' && Number.isFinite(number)) return number;
      return void report(path, `expected a number, got ${describe(value)}`);
    }
    case ScalarType.BYTES:
      if (typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return value;
      return void report(path, `expected base64 text, got ${describeValue(value)}`);
    default: {
      const checked = wholeNumber(type, value);
      if (checked !== undefined) return checked;
      const [low, high] = INTEGER_RANGES[type] ?? [0n, 0n];
      return void report(path, `expected a whole number from ${low} to ${high}, got ${describe(value)}`);
    }
  }
}

/** A whole number in the type's range, as a number when that is exact and as a string when it is not. */
export function wholeNumber(type: ScalarType, value: unknown): number | string | undefined {
  const text =
    typeof value === 'number' && Number.isInteger(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^-?\d+$/.test(text)) return undefined;
  const [low, high] = INTEGER_RANGES[type] ?? [0n, 0n];
  const big = BigInt(text);
  if (big < low || big > high) return undefined;
  return Number.isSafeInteger(Number(big)) ? Number(big) : big.toString();
}

export function checkEnum(desc: DescEnum, value: unknown, path: string, report: Report): JsonValue | undefined {
  if (typeof value === 'string' && desc.values.some((v) => v.name === value)) return value;
  if (typeof value === 'number' && desc.values.some((v) => v.number === value)) return value;
  const names = desc.values.map((v) => v.name);
  const hint = typeof value === 'string' ? didYouMean(value, names) : '';
  return void report(path, `expected one of ${names.join(', ')}, got ${describe(value)}${hint}`);
}

/** The value itself when it is short and plain (`"half"`, `-1`), its kind otherwise. */
function describe(value: unknown): string {
  if (typeof value === 'string' && value.length <= 40) return `"${value}"`;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return describeValue(value);
}
