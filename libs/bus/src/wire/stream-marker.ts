import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { WireMessage } from './message-codec.js';

/**
 * Streaming replies, on the wire. A handler that streams sends every item to the caller's reply inbox as an
 * ordinary reply (body and `Content-Type` as for a single reply) carrying the header `Lichen-Stream: item`,
 * then one end marker: an empty body with `Lichen-Stream: end`. A failure mid-stream ends it with an error
 * reply (`Nats-Service-Error` headers, `ServiceError` body) that also carries `Lichen-Stream: end`.
 * A reply without the header is a whole answer on its own: a caller reading a stream takes it as the only item
 * (or the error) and stops, so a streaming caller can ask a handler that answers once.
 */
export const STREAM_HEADER = 'Lichen-Stream';
export const STREAM_ITEM = 'item';
export const STREAM_END = 'end';

/** Marks a reply as one item of a stream. */
export function markStreamItem(headers: MsgHdrs): MsgHdrs {
  headers.set(STREAM_HEADER, STREAM_ITEM);
  return headers;
}

/** Marks a reply (an error reply) as the end of its stream. */
export function markStreamEnd(headers: MsgHdrs): MsgHdrs {
  headers.set(STREAM_HEADER, STREAM_END);
  return headers;
}

/** The end marker: no body, only the header. */
export function streamEnd(): WireMessage {
  return { data: new Uint8Array(), headers: markStreamEnd(natsHeaders()) };
}

/** `item` or `end` for a stream's message; undefined for a reply that stands alone. */
export function streamPart(headers: MsgHdrs | undefined): typeof STREAM_ITEM | typeof STREAM_END | undefined {
  const part = headers?.get(STREAM_HEADER);
  return part === STREAM_ITEM || part === STREAM_END ? part : undefined;
}
