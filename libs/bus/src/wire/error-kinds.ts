import { ErrorCode } from '@lichen/contracts';
import type { ErrorKind } from '@lichen/errors';

/** How an error kind travels: the HTTP-like status of `Nats-Service-Error-Code` and the body's `ErrorCode`. */
export interface WireErrorCode {
  status: number;
  code: ErrorCode;
}

/** The one mapping between error kinds and the wire; every other place asks these functions. */
const wireByKind: Readonly<Record<ErrorKind, WireErrorCode>> = Object.freeze({
  'invalid-argument': { status: 400, code: ErrorCode.INVALID_ARGUMENT },
  'not-found': { status: 404, code: ErrorCode.NOT_FOUND },
  conflict: { status: 409, code: ErrorCode.CONFLICT },
  'unsupported-media-type': { status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE },
  internal: { status: 500, code: ErrorCode.INTERNAL },
  unavailable: { status: 503, code: ErrorCode.UNAVAILABLE },
  'deadline-exceeded': { status: 504, code: ErrorCode.DEADLINE_EXCEEDED },
  'too-large': { status: 413, code: ErrorCode.TOO_LARGE },
});

const kinds = Object.keys(wireByKind) as ErrorKind[];

export function wireErrorCode(kind: ErrorKind): WireErrorCode {
  return wireByKind[kind];
}

/**
 * The kind an error reply stands for: by the body's `ErrorCode` when it names one, else by the status (a
 * non-Lichen server may send only headers); anything unknown is `internal`.
 */
export function errorKindOf(status: number, code?: ErrorCode): ErrorKind {
  const byCode = code ? kinds.find((kind) => wireByKind[kind].code === code) : undefined;
  return byCode ?? kinds.find((kind) => wireByKind[kind].status === status) ?? 'internal';
}
