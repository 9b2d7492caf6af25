import { LichenError, type ErrorKind } from '@lichen/errors';
import type { ShadowRejection, ShadowResult } from '../domain/shadow/shadow-rejection.js';

/** AWS IoT's codes as the bus's error kinds: the reply's `Nats-Service-Error-Code` is then AWS IoT's own code. */
const kinds: Readonly<Record<ShadowRejection['code'], ErrorKind>> = {
  400: 'invalid-argument',
  404: 'not-found',
  409: 'conflict',
  413: 'too-large',
  // The bus has no "too many requests" kind: the nearest is that the device cannot take it now.
  429: 'unavailable',
  500: 'internal',
};

/** A shadow request refused, as it goes back on the bus: AWS IoT's message, its code as the error's status. */
export class ShadowRejectedError extends LichenError {
  constructor(
    readonly rejection: ShadowRejection,
    fields: Record<string, unknown> = {},
  ) {
    super('SHADOW_REJECTED', kinds[rejection.code], rejection.message, { fields: { ...fields, awsCode: rejection.code } });
    this.name = 'ShadowRejectedError';
  }
}

/** The accepted value, or the refusal thrown for the bus to send back. */
export function accepted<T>(result: ShadowResult<T>, fields: Record<string, unknown> = {}): T {
  if (result.ok) return result.value;
  throw new ShadowRejectedError(result.rejection, fields);
}
