import type { ErrorKind } from './error-kind.js';

/** One problem in an input: where (a JSON-path-like path, or a variable's name) and why. */
export interface Violation {
  path: string;
  reason: string;
}

export interface LichenErrorOptions {
  /** Every problem found in the input, for errors that reject one; empty otherwise. */
  violations?: readonly Violation[];
  /** Structured context for the one log line that reports the error (`component`, `subject`, `deployment`). */
  fields?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/**
 * The one error shape of Lichen. `code` names the failure for programs and logs (`CONFIG_INVALID`), `kind` says
 * what sort of failure it is, the message is written for the operator. Thrown by a bus handler, its kind,
 * message and violations go on the wire as they are; any other error there becomes an opaque "internal error".
 */
export class LichenError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly violations: readonly Violation[];
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, kind: ErrorKind, message: string, options: LichenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LichenError';
    this.code = code;
    this.kind = kind;
    this.violations = Object.freeze([...(options.violations ?? [])]);
    this.fields = Object.freeze({ ...options.fields });
  }
}

/** True for a `LichenError`, the kind of error whose message is written for the operator. */
export function isLichenError(error: unknown): error is LichenError {
  return error instanceof LichenError;
}
