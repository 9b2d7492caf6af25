import { LichenError, type ErrorKind, type LichenErrorOptions, type Violation } from '@lichen/errors';
import { wireErrorCode } from './error-kinds.js';

export type { Violation } from '@lichen/errors';

/** What went wrong on the bus; the kind says what sort of failure it is. */
export type BusErrorCode =
  /** The service answered with an error reply; its kind, message and violations are the service's. */
  | 'BUS_ERROR_REPLY'
  | 'BUS_INVALID_REQUEST'
  | 'BUS_UNDECODABLE'
  | 'BUS_UNSUPPORTED_MEDIA_TYPE'
  | 'BUS_NOT_CONNECTED'
  | 'BUS_NO_RESPONDERS'
  | 'BUS_TIMEOUT'
  | 'BUS_REQUEST_FAILED'
  | 'BUS_JETSTREAM_UNAVAILABLE'
  | 'BUS_JETSTREAM_REJECTED';

/**
 * A failed bus operation, on either side: thrown by `Bus.request` when the reply is an error or none comes,
 * and by a handler (`BusError.invalid`) to reply with one. `status` is the `Nats-Service-Error-Code` its kind
 * travels as.
 */
export class BusError extends LichenError {
  declare readonly code: BusErrorCode;

  constructor(code: BusErrorCode, kind: ErrorKind, message: string, options?: LichenErrorOptions) {
    super(code, kind, message, options);
    this.name = 'BusError';
  }

  get status(): number {
    return wireErrorCode(this.kind).status;
  }

  /** A request a handler refuses, with every bad field. */
  static invalid(message: string, violations: readonly Violation[] = []): BusError {
    return new BusError('BUS_INVALID_REQUEST', 'invalid-argument', message, { violations });
  }
}
