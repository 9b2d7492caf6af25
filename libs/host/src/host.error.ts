import { LichenError } from '@lichen/errors';

export type HostErrorCode =
  'DATA_DIR_IN_USE' | 'SERVER_MISSING' | 'SERVER_FAILED' | 'SERVER_NOT_READY' | 'NATS_WITHOUT_JETSTREAM';

/** The runtime host could not start, or cannot go on: its message is written for the operator, in one line. */
export class LichenHostError extends LichenError {
  declare readonly code: HostErrorCode;

  constructor(code: HostErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, 'unavailable', message, options);
    this.name = 'LichenHostError';
  }
}
