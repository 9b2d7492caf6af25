import { TensorElementType } from '@lichen/contracts';

/**
 * The array that holds each element type's elements in memory, as onnxruntime-node takes and gives them: 64-bit
 * integers as bigints, bool as one byte each, float16 as its IEEE half bits (JavaScript has no half float).
 */
export interface ElementData {
  float32: Float32Array;
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  string: string[];
  bool: Uint8Array;
  float16: Uint16Array;
  float64: Float64Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
}

/** An element type by its onnxruntime name (`'float32'`, `'int64'`, ...), the name the domain uses. */
export type ElementTypeName = keyof ElementData;

/** The elements of a tensor of any type. */
export type TensorData = ElementData[ElementTypeName];

/** A fixed-size element type, whose elements travel as raw little-endian bytes. */
export type NumericTypeName = Exclude<ElementTypeName, 'string'>;

/** The typed arrays of the fixed-size types. */
export type NumericData = ElementData[NumericTypeName];

export interface ElementType<N extends ElementTypeName = ElementTypeName> {
  readonly name: N;
  /** Its value in the wire contract (`lichen.v1.TensorElementType`). */
  readonly proto: TensorElementType;
  /** Bytes per element in `Tensor.data`; 0 for string, whose elements travel in `Tensor.strings` instead. */
  readonly byteSize: number;
  /** A zero-filled array of `length` elements. */
  allocate(length: number): ElementData[N];
}

function numeric<N extends NumericTypeName>(
  name: N,
  proto: TensorElementType,
  array: { new (length: number): ElementData[N]; readonly BYTES_PER_ELEMENT: number },
): ElementType<N> {
  return { name, proto, byteSize: array.BYTES_PER_ELEMENT, allocate: (length) => new array(length) };
}

/** Every element type onnxruntime-node supports, in the order of the proto enum. */
export const elementTypes: { readonly [N in ElementTypeName]: ElementType<N> } = Object.freeze({
  float32: numeric('float32', TensorElementType.FLOAT32, Float32Array),
  uint8: numeric('uint8', TensorElementType.UINT8, Uint8Array),
  int8: numeric('int8', TensorElementType.INT8, Int8Array),
  uint16: numeric('uint16', TensorElementType.UINT16, Uint16Array),
  int16: numeric('int16', TensorElementType.INT16, Int16Array),
  int32: numeric('int32', TensorElementType.INT32, Int32Array),
  int64: numeric('int64', TensorElementType.INT64, BigInt64Array),
  string: {
    name: 'string',
    proto: TensorElementType.STRING,
    byteSize: 0,
    allocate: (length: number) => new Array<string>(length).fill(''),
  },
  bool: numeric('bool', TensorElementType.BOOL, Uint8Array),
  float16: numeric('float16', TensorElementType.FLOAT16, Uint16Array),
  float64: numeric('float64', TensorElementType.FLOAT64, Float64Array),
  uint32: numeric('uint32', TensorElementType.UINT32, Uint32Array),
  uint64: numeric('uint64', TensorElementType.UINT64, BigUint64Array),
});

/** Every element type name, in the order of the proto enum. */
export const elementTypeNames: readonly ElementTypeName[] = Object.freeze(Object.keys(elementTypes) as ElementTypeName[]);

const byProto = new Map<TensorElementType, ElementType>(
  elementTypeNames.map((name) => [elementTypes[name].proto, elementTypes[name]]),
);

/** The element type a proto value names; undefined for UNSPECIFIED and for values this build does not know. */
export function elementTypeOfProto(proto: TensorElementType): ElementType | undefined {
  return byProto.get(proto);
}

/** True for the names of `elementTypes`, e.g. a type written by a user or reported by onnxruntime. */
export function isElementTypeName(name: string): name is ElementTypeName {
  return Object.hasOwn(elementTypes, name);
}
