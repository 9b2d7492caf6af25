import type { HostSnapshot } from './host-snapshot.js';

/** The port the metrics (and anything else that reports on the host) read the host through. */
export interface HostReader {
  /** Rejects with a `HostReadError` when the host cannot be read at all. */
  read(): Promise<HostSnapshot>;
}

/** A core file of the host (`stat`, `meminfo`, ...) could not be read; `cause` is the file system error. */
export class HostReadError extends Error {
  readonly code = 'HOST_READ_FAILED';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HostReadError';
  }
}
