import { isLichenError, LichenError } from '@lichen/errors';
import type { Logger } from '@lichen/logging';

/**
 * What a handler's failure looks like on the wire. A `LichenError` goes as it is: its kind, message and
 * violations are written for the caller. Anything else is a bug or an outage the caller cannot act on: it is
 * logged here, once, with the subject, and the caller gets an opaque "internal error".
 */
export function handlerFailure(error: unknown, subject: string, logger: Logger): LichenError {
  if (isLichenError(error)) {
    if (error.kind === 'internal') logger.error({ ...error.fields, subject, err: error }, 'request handler failed');
    return error;
  }
  logger.error({ subject, err: error }, 'request handler failed');
  return new LichenError('INTERNAL', 'internal', 'internal error', { cause: error });
}
