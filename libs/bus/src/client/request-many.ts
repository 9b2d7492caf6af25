import type { DescMessage } from '@bufbuild/protobuf';
import type { Msg, MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { FailedReply, Reply } from '../bus.types.js';
import { gatherReply } from './reply-reader.js';
import { isNoRespondersError, requestFailure } from './request-failure.js';

export interface Gather {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  maxWaitMs: number;
  maxReplies?: number;
}

/**
 * Scatter-gather: sends one request and collects every reply until `maxWaitMs` ends (or `maxReplies` came).
 * Nobody answering is an empty list, not an error: for a fan-out "who is there?" it is an answer.
 */
export async function gather<Res extends DescMessage>(
  connection: NatsConnection,
  schema: Res,
  request: Gather,
): Promise<(Reply<Res> | FailedReply)[]> {
  const replies: (Reply<Res> | FailedReply)[] = [];
  try {
    const stream = await connection.requestMany(request.subject, request.data, {
      headers: request.headers,
      maxWait: request.maxWaitMs,
      ...(request.maxReplies ? { strategy: 'count', maxMessages: request.maxReplies } : { strategy: 'timer' }),
    });
    for await (const msg of stream as AsyncIterable<Msg>) replies.push(gatherReply(schema, msg));
  } catch (error) {
    if (isNoRespondersError(error)) return replies;
    throw requestFailure(request.subject, error);
  }
  return replies;
}
