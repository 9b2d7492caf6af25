import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { TensorSchema } from '@lichen/contracts';
import { describe, expect, it } from 'vitest';
import { elementTypeNames, type ElementTypeName } from './element-type.js';
import { tensorFromJson, tensorToJson, type JsonTensor } from './json-tensor.js';
import { tensorFromMessage, tensorToMessage } from './tensor-value.js';

/** A JSON form of every type, with its extremes, written as tensorToJson writes them. */
const samples: Record<ElementTypeName, JsonTensor> = {
  float32: [
    [1.5, -2, 'NaN'],
    ['Infinity', '-Infinity', 0.25],
  ],
  uint8: [0, 1, 255],
  int8: [-128, 0, 127],
  uint16: [[0], [65535]],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [-9007199254740991, 9007199254740991, '9007199254740993', '-9223372036854775808', '9223372036854775807'],
  string: [
    ['a', ''],
    ['ünïcödé', '✓'],
  ],
  bool: [
    [true, false],
    [false, true],
  ],
  float16: [1, -2, 0.0999755859375, 65504, 'Infinity', 'NaN', 5.960464477539063e-8],
  float64: [Math.PI, -0.1, 1e308, 'NaN'],
  uint32: [0, 4294967295],
  uint64: [0, 9007199254740991, '9007199254740992', '18446744073709551615'],
};

function problem(name: string, type: ElementTypeName, json: unknown): string {
  try {
    tensorFromJson(name, type, json);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no problem';
}

describe('the JSON form of tensors', () => {
  it.each(elementTypeNames)('round-trips %s through JSON, and through the wire form in between', (type) => {
    const tensor = tensorFromJson('x', type, samples[type]);
    expect(tensor.type).toBe(type);
    expect(tensorToJson(tensor)).toEqual(samples[type]);
    const wire = toBinary(TensorSchema, tensorToMessage(tensor));
    expect(tensorToJson(tensorFromMessage(fromBinary(TensorSchema, wire)))).toEqual(samples[type]);
  });

  it('infers the shape from the nesting, a scalar from a plain value', () => {
    expect(
      tensorFromJson('x', 'float32', [
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ).toEqual({
      name: 'x',
      type: 'float32',
      dims: [2, 3],
      data: new Float32Array([1, 2, 3, 4, 5, 6]),
    });
    expect(tensorFromJson('x', 'int64', 7)).toEqual({ name: 'x', type: 'int64', dims: [], data: new BigInt64Array([7n]) });
    expect(tensorFromJson('x', 'bool', true)).toEqual({ name: 'x', type: 'bool', dims: [], data: new Uint8Array([1]) });
    expect(tensorFromJson('x', 'string', 'hi')).toEqual({ name: 'x', type: 'string', dims: [], data: ['hi'] });
    expect(tensorFromJson('x', 'float32', []).dims).toEqual([0]);
    expect(tensorFromJson('x', 'float32', [[], []]).dims).toEqual([2, 0]);
    expect(tensorToJson(tensorFromJson('x', 'float32', [[], []]))).toEqual([[], []]);
    expect(tensorToJson(tensorFromJson('x', 'uint8', 9))).toBe(9);
  });

  it('keeps int64 and uint64 beyond 2^53 exact, as decimal strings', () => {
    const tensor = tensorFromJson('x', 'int64', ['9007199254740993', -5, '-9007199254740993']);
    expect([...(tensor.data as BigInt64Array)]).toEqual([2n ** 53n + 1n, -5n, -(2n ** 53n) - 1n]);
    expect(tensorToJson(tensor)).toEqual(['9007199254740993', -5, '-9007199254740993']);
    expect([...(tensorFromJson('x', 'uint64', [2n ** 64n - 1n]).data as BigUint64Array)]).toEqual([2n ** 64n - 1n]);
    expect(problem('x', 'uint8', [256n])).toBe('input "x": x[0]: 256 is out of range for uint8 (0 to 255)');
    expect(problem('x', 'string', [1n])).toBe('input "x": x[0]: expected a string, got 1n');
    expect(problem('x', 'int64', [9007199254740992])).toBe(
      'input "x": x[0]: 9007199254740992 is beyond 2^53, where JSON numbers lose digits: write int64 values that large as decimal strings',
    );
  });

  it('rounds float16 to the nearest half and reads the halves back as numbers', () => {
    const tensor = tensorFromJson('x', 'float16', [0.1, 1 + 2 ** -11, 65519, -0]);
    expect([...(tensor.data as Uint16Array)]).toEqual([0x2e66, 0x3c00, 0x7bff, 0x8000]);
    expect(tensorToJson(tensor)).toEqual([0.0999755859375, 1, 65504, -0]);
  });

  it('refuses ragged arrays with the path of the first bad element', () => {
    expect(problem('image', 'float32', [[1, 2], [3]])).toBe(
      'input "image": image[1]: has 1 element where image[0] has 2: arrays at one depth must be as long',
    );
    expect(problem('image', 'float32', [[1, 2], 3])).toBe('input "image": image[1]: expected an array of 2 like image[0], got 3');
    expect(
      problem('image', 'float32', [
        [[1], [2]],
        [[3], [4, 5]],
      ]),
    ).toBe('input "image": image[1][1]: has 2 elements where image[0][0] has 1: arrays at one depth must be as long');
    expect(problem('image', 'float32', [1, [2]])).toBe(
      'input "image": image[1]: expected a float32 element, got an array: image[0] is not nested this deep',
    );
    expect(problem('input.1', 'float32', [[1], [null]])).toBe(
      'input "input.1": ["input.1"][1][0]: expected a number (or "NaN", "Infinity", "-Infinity"), got null',
    );
  });

  it('refuses elements of the wrong kind or out of the type’s range, saying which', () => {
    expect(problem('x', 'bool', [1])).toBe('input "x": x[0]: expected true or false, got 1');
    expect(problem('x', 'string', [1])).toBe('input "x": x[0]: expected a string, got 1');
    expect(problem('x', 'float32', ['1.5'])).toBe(
      'input "x": x[0]: expected a number (or "NaN", "Infinity", "-Infinity"), got "1.5"',
    );
    expect(problem('x', 'float32', [{ a: 1 }])).toBe(
      'input "x": x[0]: expected a number (or "NaN", "Infinity", "-Infinity"), got an object',
    );
    expect(problem('x', 'float32', 1e39)).toBe('input "x": x: 1e+39 is beyond float32\'s range (±3.4028234663852886e+38)');
    expect(problem('x', 'float16', [65520])).toBe('input "x": x[0]: 65520 is beyond float16\'s range (±65504)');
    expect(problem('x', 'uint8', [256])).toBe('input "x": x[0]: 256 is out of range for uint8 (0 to 255)');
    expect(problem('x', 'int8', [-129])).toBe('input "x": x[0]: -129 is out of range for int8 (-128 to 127)');
    expect(problem('x', 'int32', [1.5])).toBe('input "x": x[0]: expected an integer, got 1.5');
    expect(problem('x', 'int32', ['7'])).toBe('input "x": x[0]: expected an integer, got "7"');
    expect(problem('x', 'uint64', ['-1'])).toBe('input "x": x[0]: -1 is out of range for uint64 (0 to 18446744073709551615)');
    expect(problem('x', 'int64', ['9223372036854775808'])).toBe(
      'input "x": x[0]: 9223372036854775808 is out of range for int64 (-9223372036854775808 to 9223372036854775807)',
    );
    expect(problem('x', 'int64', ['1e3'])).toBe(
      'input "x": x[0]: expected an integer (a number, or a decimal string), got "1e3"',
    );
    expect(problem('x', 'float64', undefined)).toBe(
      'input "x": x: expected a number (or "NaN", "Infinity", "-Infinity"), got nothing',
    );
  });

  it('says where the problem is in the error it throws', () => {
    try {
      tensorFromJson('image', 'uint8', [
        [1, 2],
        [3, 300],
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        code: 'TENSOR_JSON_INVALID',
        kind: 'invalid-argument',
        violations: [{ path: 'image[1][1]', reason: '300 is out of range for uint8 (0 to 255)' }],
      });
    }
  });
});
