export type HostErrorCode =
  'UNKNOWN_SERVICE' | 'SERVER_MISSING' | 'SERVER_FAILED' | 'SERVER_NOT_READY' | 'NATS_WITHOUT_JETSTREAM';

/** The runtime host could not start: its message is written for the operator, in one line where it can be. */
export class LichenHostError extends Error {
  override readonly name = 'LichenHostError';

  constructor(
    readonly code: HostErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
