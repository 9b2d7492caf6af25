import { ErrorCode, type FieldViolation } from '@lichen/contracts';

export interface Violation {
  path: string;
  reason: string;
}

/** The HTTP-like status carried in `Nats-Service-Error-Code`, by error code. */
const statusByCode: ReadonlyMap<ErrorCode, number> = new Map([
  [ErrorCode.INVALID_ARGUMENT, 400],
  [ErrorCode.NOT_FOUND, 404],
  [ErrorCode.CONFLICT, 409],
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415],
  [ErrorCode.INTERNAL, 500],
  [ErrorCode.UNAVAILABLE, 503],
  [ErrorCode.DEADLINE_EXCEEDED, 504],
]);

/**
 * A failed bus request, on either side: thrown by a handler to reply with an error, thrown by `Bus.request`
 * when the reply is one. `code` says what kind of failure; `violations` list every bad field of a request.
 */
export class BusError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly violations: readonly Violation[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'BusError';
  }

  get status(): number {
    return statusByCode.get(this.code) ?? 500;
  }

  static invalid(message: string, violations: readonly Violation[] = []): BusError {
    return new BusError(ErrorCode.INVALID_ARGUMENT, message, violations);
  }

  static fromStatus(status: number, message: string, violations: readonly FieldViolation[] = [], cause?: unknown): BusError {
    const code = [...statusByCode].find(([, known]) => known === status)?.[0] ?? ErrorCode.INTERNAL;
    return new BusError(
      code,
      message,
      violations.map(({ path, reason }) => ({ path, reason })),
      { cause },
    );
  }
}
