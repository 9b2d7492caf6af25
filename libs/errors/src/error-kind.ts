/**
 * What kind of failure an error is, independent of where it happened. The kind decides how the failure travels:
 * the bus maps it to a `Nats-Service-Error-Code` status and a `lichen.v1.ErrorCode`; an operator reads it as a
 * hint of whose move it is (the caller's for `invalid-argument`, the device's for `unavailable`).
 */
export type ErrorKind =
  | 'invalid-argument'
  | 'not-found'
  | 'conflict'
  | 'unsupported-media-type'
  | 'internal'
  | 'unavailable'
  | 'deadline-exceeded'
  | 'too-large';

/** Every error kind, in the order of the wire's error codes. */
export const errorKinds: readonly ErrorKind[] = Object.freeze([
  'invalid-argument',
  'not-found',
  'conflict',
  'unsupported-media-type',
  'internal',
  'unavailable',
  'deadline-exceeded',
  'too-large',
]);
