import { describe, expect, it } from 'vitest';
import { canStack, splitTensor, stackTensors } from './batch.js';
import { tensorFromJson } from './json-tensor.js';
import type { TensorValue } from './tensor-value.js';

function rows(type: TensorValue['type'], count: number, start: number, width = 2): TensorValue {
  const json = Array.from({ length: count }, (_, row) =>
    Array.from({ length: width }, (_, column) => {
      const n = start + row * width + column;
      return type === 'string' ? `s${n}` : type === 'bool' ? n % 2 === 0 : type === 'int64' ? String(2n ** 60n + BigInt(n)) : n;
    }),
  );
  return tensorFromJson('features', type, json);
}

describe('stacking requests into a batch and splitting the outputs back', () => {
  it.each(['float32', 'int64', 'string', 'bool', 'float16'] as const)(
    'stacks requests of 1, 3 and 2 rows of %s into 6 and splits them back into exactly their own rows',
    (type) => {
      const parts = [rows(type, 1, 0), rows(type, 3, 100), rows(type, 2, 200)];
      const batch = stackTensors(parts);
      expect(batch.dims).toEqual([6, 2]);
      expect(batch.data.length).toBe(12);
      expect(batch.data.constructor).toBe(parts[0]!.data.constructor);
      expect(splitTensor(batch, [1, 3, 2])).toEqual(parts);
    },
  );

  it('keeps the order of the parts, and rows of more than one dimension together', () => {
    const a = tensorFromJson('x', 'int32', [
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    const b = tensorFromJson('x', 'int32', [
      [
        [5, 6],
        [7, 8],
      ],
      [
        [9, 10],
        [11, 12],
      ],
    ]);
    const batch = stackTensors([a, b]);
    expect(batch).toEqual(
      tensorFromJson('x', 'int32', [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
        [
          [9, 10],
          [11, 12],
        ],
      ]),
    );
    const [first, second] = splitTensor(batch, [1, 2]);
    expect(first).toEqual(a);
    expect(second).toEqual(b);
  });

  it('splits into copies that later changes to the batch do not reach', () => {
    const batch = tensorFromJson('y', 'float32', [[1], [2], [3]]);
    const pieces = splitTensor(batch, [2, 0, 1]);
    (batch.data as Float32Array).fill(0);
    expect(pieces.map((piece) => [...(piece.data as Float32Array)])).toEqual([[1, 2], [], [3]]);
    expect(pieces.map((piece) => piece.dims)).toEqual([
      [2, 1],
      [0, 1],
      [1, 1],
    ]);
  });

  it('stacks only tensors of one name and type whose dimensions after the first agree', () => {
    const base = rows('float32', 2, 0);
    expect(canStack(base, rows('float32', 5, 0))).toBe(true);
    expect(canStack(base, rows('float32', 2, 0, 3))).toBe(false);
    expect(canStack(base, rows('float64', 2, 0))).toBe(false);
    expect(canStack(base, { ...base, name: 'other' })).toBe(false);
    expect(canStack(tensorFromJson('features', 'float32', 1), tensorFromJson('features', 'float32', 2))).toBe(false);
    expect(() => stackTensors([base, rows('float32', 1, 0, 3)])).toThrow(
      'cannot stack float32 "features" [1, 3] onto float32 "features" [2, 2]',
    );
    expect(() => stackTensors([])).toThrow('no tensors to stack');
  });

  it('refuses counts that do not add up to the first dimension', () => {
    const batch = rows('float32', 3, 0);
    expect(() => splitTensor(batch, [1, 1])).toThrow('cannot split "features" [3, 2] into rows [1, 1]');
    expect(() => splitTensor(batch, [4, -1])).toThrow('cannot split "features" [3, 2] into rows [4, -1]');
    expect(() => splitTensor(tensorFromJson('s', 'float32', 1), [1])).toThrow('cannot split "s" [] into rows [1]');
  });
});
