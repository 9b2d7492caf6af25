import { create } from '@bufbuild/protobuf';
import { TensorSchema, type Tensor } from '@lichen/contracts';
import { LichenError, type Violation } from '@lichen/errors';
import { bytesOfElements, elementsFromBytes } from './element-bytes.js';
import { elementTypeOfProto, elementTypes, type ElementData, type ElementTypeName } from './element-type.js';
import { counted, formatShape, tensorPath } from './tensor-path.js';

/** A tensor of one element type, in memory: what onnxruntime-node's `Tensor` is made from and gives back. */
export interface TensorOf<N extends ElementTypeName> {
  readonly name: string;
  readonly type: N;
  /** The shape; `[]` for a scalar. */
  readonly dims: readonly number[];
  /** The elements in row-major order, `elementCount(dims)` of them. */
  readonly data: ElementData[N];
}

/** A tensor of any element type; checking `type` narrows `data`. */
export type TensorValue = { [N in ElementTypeName]: TensorOf<N> }[ElementTypeName];

/** The fields of the wire's `lichen.v1.Tensor` this reads (a decoded message has them). */
export type TensorMessage = Pick<Tensor, 'name' | 'elementType' | 'shape' | 'data' | 'strings'>;

/** What a tensor says of itself, as far as it could be read: a type or shape that was wrong is left out. */
export interface TensorHeader {
  readonly name: string;
  readonly type?: ElementTypeName;
  readonly dims?: readonly number[];
}

export type TensorReading =
  | { readonly ok: true; readonly tensor: TensorValue }
  | { readonly ok: false; readonly header: TensorHeader; readonly violations: Violation[] };

/** How many elements a tensor of this shape holds: the product of its dimensions, 1 for a scalar. */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((count, dim) => count * dim, 1);
}

/**
 * Reads a wire tensor into memory, checking what the message can get wrong by itself: an element type this
 * build does not know, a negative dimension, and elements that do not fill the shape (`data` bytes for the
 * fixed-size types, `strings` for string). Every problem is reported, under `path` (`inputs.image.data`).
 */
export function readTensorMessage(message: TensorMessage, path = tensorPath('', message.name)): TensorReading {
  const violations: Violation[] = [];
  const type = elementTypeOfProto(message.elementType);
  if (type === undefined) {
    violations.push({
      path: `${path}.elementType`,
      reason:
        message.elementType === 0
          ? 'no element type given (TENSOR_ELEMENT_TYPE_UNSPECIFIED)'
          : `unknown element type ${message.elementType}`,
    });
  }
  message.shape.forEach((dim, index) => {
    if (dim < 0n) violations.push({ path: `${path}.shape[${index}]`, reason: `must be 0 or more, got ${dim}` });
    else if (dim > BigInt(Number.MAX_SAFE_INTEGER))
      violations.push({ path: `${path}.shape[${index}]`, reason: `${dim} is too large` });
  });
  const shapeValid = violations.every((violation) => !violation.path.startsWith(`${path}.shape`));
  const dims = shapeValid ? message.shape.map(Number) : undefined;
  if (type !== undefined && dims !== undefined) {
    const count = message.shape.reduce((product, dim) => product * dim, 1n);
    const described = `${type.name} of shape ${formatShape(dims)}`;
    if (type.name === 'string') {
      if (BigInt(message.strings.length) !== count)
        violations.push({
          path: `${path}.strings`,
          reason: `holds ${counted(message.strings.length, 'string')}; ${described} needs ${count}`,
        });
      if (message.data.length > 0)
        violations.push({ path: `${path}.data`, reason: 'must be empty for a string tensor, whose elements go in strings' });
    } else {
      const needed = count * BigInt(type.byteSize);
      if (BigInt(message.data.length) !== needed)
        violations.push({
          path: `${path}.data`,
          reason: `holds ${counted(message.data.length, 'byte')}; ${described} needs ${needed} (${counted(count, 'element')} of ${counted(type.byteSize, 'byte')})`,
        });
      if (message.strings.length > 0)
        violations.push({
          path: `${path}.strings`,
          reason: `must be empty for a ${type.name} tensor, whose elements go in data`,
        });
    }
  }
  if (violations.length > 0 || type === undefined || dims === undefined) {
    return {
      ok: false,
      header: { name: message.name, ...(type ? { type: type.name } : {}), ...(dims ? { dims } : {}) },
      violations,
    };
  }
  const data = type.name === 'string' ? [...message.strings] : elementsFromBytes(elementTypes[type.name], message.data);
  return { ok: true, tensor: { name: message.name, type: type.name, dims, data } as TensorValue };
}

/**
 * Reads a wire tensor into memory, or throws a `TENSOR_INVALID` error (kind invalid-argument) naming the tensor
 * and listing every problem; for tensors outside a request, e.g. a reply's outputs read by a client.
 */
export function tensorFromMessage(message: TensorMessage): TensorValue {
  const reading = readTensorMessage(message);
  if (reading.ok) return reading.tensor;
  const details = reading.violations.map((violation) => `${violation.path}: ${violation.reason}`).join('; ');
  throw new LichenError('TENSOR_INVALID', 'invalid-argument', `tensor "${message.name}" cannot be read: ${details}`, {
    violations: reading.violations,
    fields: { tensor: message.name },
  });
}

/**
 * The wire form of a tensor: its elements as little-endian bytes (a view of `tensor.data` on a little-endian
 * host, not a copy), or as `strings` for a string tensor.
 */
export function tensorToMessage(tensor: TensorValue): Tensor {
  const type = elementTypes[tensor.type];
  const common = { name: tensor.name, elementType: type.proto, shape: tensor.dims.map(BigInt) };
  if (tensor.type === 'string') return create(TensorSchema, { ...common, strings: [...tensor.data] });
  return create(TensorSchema, { ...common, data: bytesOfElements(elementTypes[tensor.type], tensor.data) });
}
