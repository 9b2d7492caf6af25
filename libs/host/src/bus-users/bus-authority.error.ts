import { LichenError, type ErrorKind, type Violation } from '@lichen/errors';

export type BusAuthorityErrorCode =
  /** A user's name is taken by another owner's user, or by one of Lichen's own. */
  | 'BUS_USER_CLASH'
  /** A user cannot be written as given: its name, its password. */
  | 'BUS_USER_INVALID'
  /** nats-server found the configuration invalid with these users (`nats-server -t`). */
  | 'BUS_USERS_REFUSED'
  /** nats-server did not load the new users: the ones it had are still in force. */
  | 'BUS_RELOAD_FAILED';

const kinds: Record<BusAuthorityErrorCode, ErrorKind> = {
  BUS_USER_CLASH: 'conflict',
  BUS_USER_INVALID: 'invalid-argument',
  BUS_USERS_REFUSED: 'invalid-argument',
  BUS_RELOAD_FAILED: 'unavailable',
};

/** The bus's users could not be changed as asked; the message says why, and never holds a password. */
export class BusAuthorityError extends LichenError {
  declare readonly code: BusAuthorityErrorCode;

  constructor(code: BusAuthorityErrorCode, message: string, options?: { violations?: readonly Violation[]; cause?: unknown }) {
    super(code, kinds[code], message, options);
    this.name = 'BusAuthorityError';
  }
}
