import type { DescMessage } from '@bufbuild/protobuf';
import type { Msg } from '@nats-io/transport-node';
import type { FailedReply, Reply } from '../bus.types.js';
import { BusError } from '../wire/bus-error.js';
import { decodeError, decodeMessage } from '../wire/message-codec.js';

/** A reply decoded, or its error thrown as a `BusError`. */
export function readReply<Res extends DescMessage>(schema: Res, msg: Pick<Msg, 'data' | 'headers'>): Reply<Res> {
  const failure = decodeError(msg.data, msg.headers);
  if (failure) throw failure;
  return { message: decodeMessage(schema, msg.data, msg.headers), headers: msg.headers };
}

/** A reply decoded, or its error as a value: one failed reply among many must not hide the others. */
export function gatherReply<Res extends DescMessage>(schema: Res, msg: Msg): Reply<Res> | FailedReply {
  try {
    return readReply(schema, msg);
  } catch (error) {
    return { error: error as BusError, headers: msg.headers };
  }
}

/** A reply that only says nobody listens on the subject (status 503, no body). */
export function isNoResponders(msg: Pick<Msg, 'data' | 'headers'>): boolean {
  return msg.data.length === 0 && msg.headers?.code === 503;
}
