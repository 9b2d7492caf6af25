import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { TensorElementType, TensorSchema } from '@lichen/contracts';
import { LichenError } from '@lichen/errors';
import { describe, expect, it } from 'vitest';
import { bytesOfElements, elementsFromBytes } from './element-bytes.js';
import { elementTypeNames, elementTypes, type NumericTypeName } from './element-type.js';
import { elementCount, readTensorMessage, tensorFromMessage, tensorToMessage, type TensorValue } from './tensor-value.js';

/** Two by two of every type, with each type's extremes. */
const samples: Record<string, TensorValue> = {
  float32: tensor('float32', new Float32Array([1.5, -0, 3.4028234663852886e38, NaN])),
  uint8: tensor('uint8', new Uint8Array([0, 1, 128, 255])),
  int8: tensor('int8', new Int8Array([-128, -1, 0, 127])),
  uint16: tensor('uint16', new Uint16Array([0, 0x0102, 0x8000, 0xffff])),
  int16: tensor('int16', new Int16Array([-32768, -2, 0, 32767])),
  int32: tensor('int32', new Int32Array([-(2 ** 31), -3, 0, 2 ** 31 - 1])),
  int64: tensor('int64', new BigInt64Array([-(2n ** 63n), -4n, 2n ** 53n + 1n, 2n ** 63n - 1n])),
  string: tensor('string', ['', 'ascii', 'ünïcödé ✓', 'line\nbreak']),
  bool: tensor('bool', new Uint8Array([1, 0, 0, 1])),
  float16: tensor('float16', new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001])),
  float64: tensor('float64', new Float64Array([Math.PI, -Infinity, Number.MIN_VALUE, -0])),
  uint32: tensor('uint32', new Uint32Array([0, 1, 2 ** 31, 2 ** 32 - 1])),
  uint64: tensor('uint64', new BigUint64Array([0n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n])),
};

function tensor(type: string, data: unknown, dims: number[] = [2, 2]): TensorValue {
  return { name: 'x', type, dims, data } as TensorValue;
}

function message(fields: { elementType: TensorElementType; shape: bigint[]; data?: Uint8Array; strings?: string[] }) {
  return create(TensorSchema, { name: 'image', ...fields });
}

describe('tensor values and the wire form', () => {
  it('has a sample of every element type', () => {
    expect(Object.keys(samples)).toEqual(elementTypeNames);
  });

  it.each(elementTypeNames)('round-trips %s through the encoded proto message', (name) => {
    const sample = samples[name]!;
    const wire = toBinary(TensorSchema, tensorToMessage(sample));
    const back = tensorFromMessage(fromBinary(TensorSchema, wire));
    expect(back).toEqual(sample);
    expect(back.data.constructor).toBe(sample.data.constructor);
  });

  it('writes the elements little-endian, bool as one byte each and float16 as its half bits', () => {
    expect([...tensorToMessage(tensor('float32', new Float32Array([1]), [])).data]).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect([...tensorToMessage(tensor('uint16', new Uint16Array([0x0102]), [1])).data]).toEqual([0x02, 0x01]);
    expect([...tensorToMessage(tensor('int64', new BigInt64Array([-2n]), [1])).data]).toEqual([0xfe, ...Array(7).fill(0xff)]);
    expect([...tensorToMessage(tensor('bool', new Uint8Array([1, 0]), [2])).data]).toEqual([1, 0]);
    expect([...tensorToMessage(tensor('float16', new Uint16Array([0x3c00]), [])).data]).toEqual([0x00, 0x3c]);
    const strings = tensorToMessage(samples['string']!);
    expect(strings.strings).toEqual(['', 'ascii', 'ünïcödé ✓', 'line\nbreak']);
    expect(strings.data.length).toBe(0);
    expect(strings.elementType).toBe(TensorElementType.STRING);
    expect(strings.shape).toEqual([2n, 2n]);
  });

  it('reads int64 and uint64 beyond 2^53 exactly', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigInt64(0, 2n ** 62n + 1n, true);
    new DataView(bytes.buffer).setBigInt64(8, -(2n ** 62n) - 1n, true);
    const read = tensorFromMessage(message({ elementType: TensorElementType.INT64, shape: [2n], data: bytes }));
    expect([...(read.data as BigInt64Array)]).toEqual([2n ** 62n + 1n, -(2n ** 62n) - 1n]);
    const unsigned = tensorFromMessage(
      message({ elementType: TensorElementType.UINT64, shape: [1n], data: bytes.subarray(0, 8) }),
    );
    expect([...(unsigned.data as BigUint64Array)]).toEqual([2n ** 62n + 1n]);
  });

  it('copies elements that sit at an unaligned offset of the message buffer into an aligned array', () => {
    const buffer = new Uint8Array(1 + 8);
    new DataView(buffer.buffer).setFloat64(1, Math.E, true);
    const read = tensorFromMessage(message({ elementType: TensorElementType.FLOAT64, shape: [], data: buffer.subarray(1) }));
    expect(read.dims).toEqual([]);
    expect([...(read.data as Float64Array)]).toEqual([Math.E]);
    expect(read.data).toBeInstanceOf(Float64Array);
    buffer.fill(0);
    expect([...(read.data as Float64Array)]).toEqual([Math.E]); // a copy, not a view of the message
  });

  it('reads and writes scalars (shape []) and empty tensors (a dimension of 0)', () => {
    const scalar = tensorFromMessage(
      message({ elementType: TensorElementType.INT32, shape: [], data: new Uint8Array([7, 0, 0, 0]) }),
    );
    expect(scalar).toEqual({ name: 'image', type: 'int32', dims: [], data: new Int32Array([7]) });
    expect(tensorToMessage(scalar).shape).toEqual([]);
    const word = tensorFromMessage(message({ elementType: TensorElementType.STRING, shape: [], strings: ['hi'] }));
    expect(word).toEqual({ name: 'image', type: 'string', dims: [], data: ['hi'] });
    const empty = tensorFromMessage(message({ elementType: TensorElementType.FLOAT32, shape: [0n, 3n] }));
    expect(empty).toEqual({ name: 'image', type: 'float32', dims: [0, 3], data: new Float32Array(0) });
    expect(elementCount([])).toBe(1);
    expect(elementCount([0, 3])).toBe(0);
  });

  it.each(elementTypeNames.filter((name): name is NumericTypeName => name !== 'string'))(
    'reads and writes %s the same through DataView, as a big-endian host does',
    (name) => {
      const type = elementTypes[name];
      const bytes = tensorToMessage(samples[name]!).data.slice();
      const portable = elementsFromBytes(type, bytes, false);
      expect(portable).toEqual(elementsFromBytes(type, bytes, true));
      expect(portable).toEqual(samples[name]!.data);
      expect(bytesOfElements(type, portable, false)).toEqual(bytes);
    },
  );

  it('reports every problem a message has by itself, under the path given', () => {
    const problems = (fields: Parameters<typeof message>[0]) => {
      const reading = readTensorMessage(message(fields), 'inputs.image');
      return reading.ok ? [] : reading.violations.map((v) => `${v.path}: ${v.reason}`);
    };
    expect(problems({ elementType: TensorElementType.UNSPECIFIED, shape: [2n] })).toEqual([
      'inputs.image.elementType: no element type given (TENSOR_ELEMENT_TYPE_UNSPECIFIED)',
    ]);
    expect(problems({ elementType: 99 as TensorElementType, shape: [-1n, 2n, 2n ** 60n] })).toEqual([
      'inputs.image.elementType: unknown element type 99',
      'inputs.image.shape[0]: must be 0 or more, got -1',
      'inputs.image.shape[2]: 1152921504606846976 is too large',
    ]);
    expect(
      problems({ elementType: TensorElementType.FLOAT32, shape: [2n, 3n], data: new Uint8Array(10), strings: ['a'] }),
    ).toEqual([
      'inputs.image.data: holds 10 bytes; float32 of shape [2, 3] needs 24 (6 elements of 4 bytes)',
      'inputs.image.strings: must be empty for a float32 tensor, whose elements go in data',
    ]);
    expect(problems({ elementType: TensorElementType.STRING, shape: [3n], data: new Uint8Array(1), strings: ['a'] })).toEqual([
      'inputs.image.strings: holds 1 string; string of shape [3] needs 3',
      'inputs.image.data: must be empty for a string tensor, whose elements go in strings',
    ]);
    expect(problems({ elementType: TensorElementType.BOOL, shape: [], data: new Uint8Array(0) })).toEqual([
      'inputs.image.data: holds 0 bytes; bool of shape [] needs 1 (1 element of 1 byte)',
    ]);
  });

  it('keeps what could be read of a bad message, for the checks against the model', () => {
    const reading = readTensorMessage(message({ elementType: TensorElementType.INT8, shape: [4n], data: new Uint8Array(3) }));
    expect(reading).toMatchObject({ ok: false, header: { name: 'image', type: 'int8', dims: [4] } });
    const shapeless = readTensorMessage(message({ elementType: 0, shape: [-4n] }));
    expect(shapeless).toMatchObject({ ok: false, header: { name: 'image' } });
    expect(shapeless.ok ? undefined : shapeless.header).toEqual({ name: 'image' });
  });

  it('throws an invalid-argument error naming the tensor when a message cannot be read', () => {
    const read = () =>
      tensorFromMessage(message({ elementType: TensorElementType.FLOAT32, shape: [2n], data: new Uint8Array(4) }));
    expect(read).toThrow(LichenError);
    expect(read).toThrow('tensor "image" cannot be read: image.data: holds 4 bytes; float32 of shape [2] needs 8');
    try {
      read();
    } catch (error) {
      expect(error).toMatchObject({ code: 'TENSOR_INVALID', kind: 'invalid-argument', violations: [{ path: 'image.data' }] });
    }
  });
});
