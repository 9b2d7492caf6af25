import { LichenError } from '@lichen/errors';
import { elementTypes, type ElementTypeName } from './element-type.js';
import { float16Bits, float16Value } from './float16.js';
import { counted, formatShape, tensorPath } from './tensor-path.js';
import { elementCount, type TensorValue } from './tensor-value.js';

/**
 * A tensor as people write it: a scalar, or arrays nested as deep as the tensor has dimensions. Numbers for the
 * numeric types, booleans for bool, strings for string; NaN and the infinities as the strings `"NaN"`,
 * `"Infinity"`, `"-Infinity"` (as proto3's JSON writes them: JSON has no such numbers); 64-bit integers as numbers
 * while they are safe integers, as decimal strings beyond.
 */
export type JsonTensor = number | string | boolean | JsonTensor[];

type Element = number | bigint | string;

const INTEGER_RANGES: Partial<Record<ElementTypeName, readonly [bigint, bigint]>> = {
  uint8: [0n, 255n],
  int8: [-128n, 127n],
  uint16: [0n, 65535n],
  int16: [-32768n, 32767n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};
const SPECIAL_FLOATS: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const FLOAT_LIMITS: Partial<Record<ElementTypeName, number>> = { float16: 65504, float32: 3.4028234663852886e38 };

/**
 * The tensor `json` writes, of element type `type`; its shape is the nesting (`[[1, 2], [3, 4]]` is `[2, 2]`, `7`
 * is a scalar, `[]` is `[0]`). Refuses, with the path of the first bad element (`image[1][2]`), ragged arrays,
 * elements of the wrong kind, integers out of the type's range and finite numbers beyond a float type's range.
 * Callers in code may give bigints for the integer types.
 * float16 elements are rounded to the nearest half, ties to even.
 */
export function tensorFromJson(name: string, type: ElementTypeName, json: unknown): TensorValue {
  const root = tensorPath('', name);
  const dims = nestingOf(json);
  const elements: Element[] = [];
  const fail = (path: string, reason: string): never => {
    throw new LichenError('TENSOR_JSON_INVALID', 'invalid-argument', `input "${name}": ${path}: ${reason}`, {
      violations: [{ path, reason }],
      fields: { tensor: name },
    });
  };
  const walk = (node: unknown, depth: number, path: string, like: string): void => {
    if (depth < dims.length) {
      if (!Array.isArray(node)) return fail(path, `expected an array of ${dims[depth]} like ${like}, got ${describe(node)}`);
      if (node.length !== dims[depth])
        return fail(
          path,
          `has ${counted(node.length, 'element')} where ${like} has ${dims[depth]}: arrays at one depth must be as long`,
        );
      node.forEach((child, index) => walk(child, depth + 1, `${path}[${index}]`, `${like}[0]`));
      return;
    }
    if (Array.isArray(node)) return fail(path, `expected a ${type} element, got an array: ${like} is not nested this deep`);
    const element = elementOf(type, node);
    if (typeof element === 'object') return fail(path, element.problem);
    elements.push(element);
  };
  walk(json, 0, root, root);

  const data = elementTypes[type].allocate(elementCount(dims)) as unknown as Element[];
  elements.forEach((element, index) => (data[index] = element));
  return { name, type, dims, data } as unknown as TensorValue;
}

/** The tensor as nested JSON arrays (a scalar for shape `[]`), in the form `tensorFromJson` reads. */
export function tensorToJson(tensor: TensorValue): JsonTensor {
  const flat = Array.from(tensor.data as ArrayLike<Element>, (element) => jsonOf(tensor.type, element));
  const { dims } = tensor;
  const nest = (depth: number, offset: number): JsonTensor => {
    if (depth === dims.length) return flat[offset] as JsonTensor;
    const stride = elementCount(dims.slice(depth + 1));
    return Array.from({ length: dims[depth] ?? 0 }, (_, index) => nest(depth + 1, offset + index * stride));
  };
  if (flat.length !== elementCount(dims))
    throw new LichenError(
      'TENSOR_INVALID',
      'internal',
      `tensor "${tensor.name}" has ${flat.length} elements for shape ${formatShape(dims)}`,
    );
  return nest(0, 0);
}

/** The shape the nesting says, following the first element down. */
function nestingOf(json: unknown): number[] {
  const dims: number[] = [];
  let node = json;
  while (Array.isArray(node)) {
    dims.push(node.length);
    if (node.length === 0) break;
    node = node[0];
  }
  return dims;
}

function elementOf(type: ElementTypeName, value: unknown): Element | { problem: string } {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : { problem: `expected a string, got ${describe(value)}` };
    case 'bool':
      return typeof value === 'boolean' ? Number(value) : { problem: `expected true or false, got ${describe(value)}` };
    case 'float16':
    case 'float32':
    case 'float64': {
      const number = typeof value === 'string' ? SPECIAL_FLOATS[value] : value;
      if (typeof number !== 'number')
        return { problem: `expected a number (or "NaN", "Infinity", "-Infinity"), got ${describe(value)}` };
      const limit = FLOAT_LIMITS[type];
      // Beyond the largest finite value plus half a unit in the last place, the type has only infinity.
      if (
        limit !== undefined &&
        Number.isFinite(number) &&
        !Number.isFinite(type === 'float16' ? float16Value(float16Bits(number)) : Math.fround(number))
      )
        return { problem: `${number} is beyond ${type}'s range (±${limit})` };
      return type === 'float16' ? float16Bits(number) : number;
    }
    default:
      return integerOf(type, value);
  }
}

function integerOf(type: ElementTypeName, value: unknown): Element | { problem: string } {
  const [min, max] = INTEGER_RANGES[type] ?? [0n, 0n];
  const wide = type === 'int64' || type === 'uint64';
  let integer: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (wide && !Number.isSafeInteger(value))
      return {
        problem: `${value} is beyond 2^53, where JSON numbers lose digits: write ${type} values that large as decimal strings`,
      };
    integer = BigInt(value);
  } else if (typeof value === 'bigint' || (wide && typeof value === 'string' && /^-?\d+$/.test(value))) {
    integer = BigInt(value);
  } else {
    return { problem: `expected an integer${wide ? ' (a number, or a decimal string)' : ''}, got ${describe(value)}` };
  }
  if (integer < min || integer > max) return { problem: `${integer} is out of range for ${type} (${min} to ${max})` };
  return wide ? integer : Number(integer);
}

function jsonOf(type: ElementTypeName, element: Element): JsonTensor {
  if (typeof element === 'string') return element;
  if (typeof element === 'bigint') return Number.isSafeInteger(Number(element)) ? Number(element) : element.toString();
  if (type === 'bool') return element !== 0;
  const number = type === 'float16' ? float16Value(element) : element;
  if (Number.isNaN(number)) return 'NaN';
  if (!Number.isFinite(number)) return number > 0 ? 'Infinity' : '-Infinity';
  return number;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'bigint') return `${value}n`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
