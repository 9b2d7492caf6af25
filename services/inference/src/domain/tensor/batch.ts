import { LichenError } from '@lichen/errors';
import { elementTypes, type TensorData } from './element-type.js';
import { formatShape } from './tensor-path.js';
import { elementCount, type TensorValue } from './tensor-value.js';

/**
 * Micro-batching's arithmetic: several requests' tensors for one input become one tensor whose first dimension
 * is the sum of theirs, and an output computed from it is cut back into each request's rows. The batcher only
 * puts together requests whose tensors `canStack`; a mismatch here is a bug, hence the internal errors.
 */

/** True when `a` and `b` can go into one batch: same name and element type, a first dimension, the rest equal. */
export function canStack(a: TensorValue, b: TensorValue): boolean {
  return (
    a.name === b.name &&
    a.type === b.type &&
    a.dims.length > 0 &&
    a.dims.length === b.dims.length &&
    a.dims.every((dim, index) => index === 0 || dim === b.dims[index])
  );
}

/** The parts one after the other along the first dimension, in the order given: `[2, 3]` and `[1, 3]` make `[3, 3]`. */
export function stackTensors(parts: readonly TensorValue[]): TensorValue {
  const [first] = parts;
  if (first === undefined) throw new LichenError('TENSOR_BATCH_EMPTY', 'internal', 'no tensors to stack');
  const odd = parts.find((part) => !canStack(first, part));
  if (odd !== undefined) {
    throw new LichenError(
      'TENSOR_BATCH_MISMATCH',
      'internal',
      `cannot stack ${odd.type} "${odd.name}" ${formatShape(odd.dims)} onto ${first.type} "${first.name}" ${formatShape(first.dims)}`,
    );
  }
  const rows = parts.reduce((sum, part) => sum + (part.dims[0] as number), 0);
  const dims = [rows, ...first.dims.slice(1)];
  if (first.type === 'string') {
    const data = parts.flatMap((part) => part.data as string[]);
    return { name: first.name, type: first.type, dims, data };
  }
  const data = elementTypes[first.type].allocate(elementCount(dims));
  let offset = 0;
  for (const part of parts) {
    (data as unknown as Settable).set(part.data, offset);
    offset += part.data.length;
  }
  return { name: first.name, type: first.type, dims, data } as TensorValue;
}

/**
 * The tensor cut along its first dimension into pieces of `counts` rows, in order; the counts must add up to
 * that dimension. Each piece is a copy: it goes into its own reply, and onnxruntime's output buffers are
 * released with the run that made them.
 */
export function splitTensor(tensor: TensorValue, counts: readonly number[]): TensorValue[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (tensor.dims.length === 0 || total !== tensor.dims[0] || counts.some((count) => !Number.isInteger(count) || count < 0)) {
    throw new LichenError(
      'TENSOR_BATCH_MISMATCH',
      'internal',
      `cannot split "${tensor.name}" ${formatShape(tensor.dims)} into rows [${counts.join(', ')}]`,
    );
  }
  const rowSize = elementCount(tensor.dims.slice(1));
  const data = tensor.data as Sliceable;
  let row = 0;
  return counts.map((count) => {
    const piece = data.slice(row * rowSize, (row + count) * rowSize);
    row += count;
    return { name: tensor.name, type: tensor.type, dims: [count, ...tensor.dims.slice(1)], data: piece } as TensorValue;
  });
}

/** What every typed array can do; TypeScript cannot call a method on a union of them. */
type Settable = { set(source: ArrayLike<unknown>, offset: number): void };
type Sliceable = { slice(start: number, end: number): TensorData };
