import type { ErrorKind } from '@lichen/errors';
import { BusError } from '../wire/bus-error.js';
import type { JetStreamModule } from './jetstream-loader.js';

/** The kind of a JetStream API refusal, by the HTTP-like status the server gives it. */
function kindOfStatus(status: number): ErrorKind {
  if (status === 404) return 'not-found';
  if (status === 408) return 'deadline-exceeded';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'internal';
  return 'conflict';
}

/** A failed JetStream call as a `BusError` saying what was being done. */
export function jetStreamFailure(js: JetStreamModule, doing: string, error: unknown): BusError {
  if (error instanceof BusError) return error;
  if (error instanceof js.JetStreamApiError) {
    return new BusError('BUS_JETSTREAM_REJECTED', kindOfStatus(error.status), `${doing}: ${error.message}`, { cause: error });
  }
  if (isJetStreamOff(error)) {
    return new BusError('BUS_JETSTREAM_UNAVAILABLE', 'unavailable', `${doing}: JetStream does not answer`, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new BusError('BUS_JETSTREAM_UNAVAILABLE', 'unavailable', `${doing}: ${reason}`, { cause: error });
}

/** The client's "no responder on the JetStream API": JetStream is off, or (on a publish) no stream stores the subject. */
export function isJetStreamOff(error: unknown): boolean {
  // The client does not export this error's class; its name is what it has.
  return error instanceof Error && error.name === 'JetStreamNotEnabled';
}

/** True for the API's "no such stream" / "no such consumer". */
export function isMissing(js: JetStreamModule, error: unknown): boolean {
  const { StreamNotFound, ConsumerNotFound } = js.JetStreamApiCodes;
  return error instanceof js.JetStreamApiError && (error.code === StreamNotFound || error.code === ConsumerNotFound);
}
