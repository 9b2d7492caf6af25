import type { ElementData, ElementType, NumericData, NumericTypeName } from './element-type.js';

/** True when this machine stores numbers little-endian, as the wire does (x64, arm64 as Linux runs it). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Element = number | bigint;

interface Access {
  get(view: DataView, offset: number): Element;
  set(view: DataView, offset: number, value: Element): void;
}

const access: { readonly [N in NumericTypeName]: Access } = {
  float32: { get: (v, o) => v.getFloat32(o, true), set: (v, o, x) => v.setFloat32(o, x as number, true) },
  uint8: { get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x as number) },
  int8: { get: (v, o) => v.getInt8(o), set: (v, o, x) => v.setInt8(o, x as number) },
  uint16: { get: (v, o) => v.getUint16(o, true), set: (v, o, x) => v.setUint16(o, x as number, true) },
  int16: { get: (v, o) => v.getInt16(o, true), set: (v, o, x) => v.setInt16(o, x as number, true) },
  int32: { get: (v, o) => v.getInt32(o, true), set: (v, o, x) => v.setInt32(o, x as number, true) },
  int64: { get: (v, o) => v.getBigInt64(o, true), set: (v, o, x) => v.setBigInt64(o, x as bigint, true) },
  bool: { get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x as number) },
  float16: { get: (v, o) => v.getUint16(o, true), set: (v, o, x) => v.setUint16(o, x as number, true) },
  float64: { get: (v, o) => v.getFloat64(o, true), set: (v, o, x) => v.setFloat64(o, x as number, true) },
  uint32: { get: (v, o) => v.getUint32(o, true), set: (v, o, x) => v.setUint32(o, x as number, true) },
  uint64: { get: (v, o) => v.getBigUint64(o, true), set: (v, o, x) => v.setBigUint64(o, x as bigint, true) },
};

/**
 * The elements in `bytes` (little-endian, `bytes.length` a multiple of the element size) as a typed array of their
 * own. Always a copy: a protobuf `bytes` field is a view into the message's buffer at any offset, and a
 * `Float32Array` cannot start at an offset that is not a multiple of 4. On a little-endian host the copy is one
 * `set`; elsewhere each element is read through a `DataView`, which reads little-endian on any host.
 */
export function elementsFromBytes<N extends NumericTypeName>(
  type: ElementType<N>,
  bytes: Uint8Array,
  hostIsLittleEndian = HOST_IS_LITTLE_ENDIAN,
): ElementData[N] {
  const length = bytes.length / type.byteSize;
  const out = type.allocate(length) as NumericData;
  if (hostIsLittleEndian) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  } else {
    const { get } = access[type.name];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const slots = out as unknown as Element[];
    for (let i = 0; i < length; i++) slots[i] = get(view, i * type.byteSize);
  }
  return out as ElementData[N];
}

/**
 * The elements as little-endian bytes. On a little-endian host this is a view of the array's own memory, not a
 * copy (a reply is encoded right away, and copying every output would cost as much as the encoding); elsewhere
 * a new buffer written through a `DataView`.
 */
export function bytesOfElements(
  type: ElementType<NumericTypeName>,
  data: NumericData,
  hostIsLittleEndian = HOST_IS_LITTLE_ENDIAN,
): Uint8Array {
  if (hostIsLittleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bytes = new Uint8Array(data.length * type.byteSize);
  const view = new DataView(bytes.buffer);
  const { set } = access[type.name];
  const slots = data as unknown as ArrayLike<Element>;
  for (let i = 0; i < data.length; i++) set(view, i * type.byteSize, slots[i] as Element);
  return bytes;
}
