import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import { BusError } from '../wire/bus-error.js';

/** A request that got no reply, as a `BusError` naming the subject. */
export function requestFailure(subject: string, error: unknown): BusError {
  if (error instanceof BusError) return error;
  if (isNoRespondersError(error)) return noResponders(subject, error);
  if (error instanceof TimeoutError || (error instanceof RequestError && error.cause instanceof TimeoutError)) {
    return new BusError('BUS_TIMEOUT', 'deadline-exceeded', `no reply on ${subject} in time`, { cause: error });
  }
  return new BusError('BUS_REQUEST_FAILED', 'unavailable', `request on ${subject} failed`, { cause: error });
}

export function noResponders(subject: string, cause?: unknown): BusError {
  return new BusError('BUS_NO_RESPONDERS', 'unavailable', `no service answers ${subject}`, { cause });
}

export function notConnected(): BusError {
  return new BusError('BUS_NOT_CONNECTED', 'unavailable', 'not connected to the bus');
}

/** The client's "nobody listens on the subject", bare (a gather) or wrapped (a single request). */
export function isNoRespondersError(error: unknown): boolean {
  return error instanceof NoRespondersError || (error instanceof RequestError && error.isNoResponders());
}
