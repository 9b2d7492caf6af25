import { LichenError, type ErrorKind } from '@lichen/errors';

export type ProcessRuntimeErrorCode =
  | 'PROCESS_SPEC_INVALID'
  | 'PROCESS_ALREADY_RUNNING'
  | 'PROCESS_SPAWN_FAILED'
  | 'PROCESS_SCRIPT_FAILED'
  | 'PROCESS_SCRIPT_TIMED_OUT';

const kinds: Record<ProcessRuntimeErrorCode, ErrorKind> = {
  PROCESS_SPEC_INVALID: 'invalid-argument',
  PROCESS_ALREADY_RUNNING: 'conflict',
  PROCESS_SPAWN_FAILED: 'internal',
  PROCESS_SCRIPT_FAILED: 'internal',
  PROCESS_SCRIPT_TIMED_OUT: 'deadline-exceeded',
};

/** The process runtime could not do what was asked; the message is written for the operator, in one line. */
export class ProcessRuntimeError extends LichenError {
  declare readonly code: ProcessRuntimeErrorCode;

  constructor(
    code: ProcessRuntimeErrorCode,
    message: string,
    options: { fields?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, kinds[code], message, options);
    this.name = 'ProcessRuntimeError';
  }
}
