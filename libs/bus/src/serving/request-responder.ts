import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { wildcardValues, type RequestSubject } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import type { RequestHandler } from '../bus.types.js';
import { contentTypeOf, PROTOBUF, type ContentType } from '../wire/content-type.js';
import { decodeMessage, encodeBody, encodeError } from '../wire/message-codec.js';
import { markStreamEnd, markStreamItem, streamEnd } from '../wire/stream-marker.js';
import { handlerFailure } from './handler-failure.js';
import { sendReply } from './reply-sender.js';

/** Where a request's replies go, and how they are written. */
interface ReplyTarget {
  connection: NatsConnection;
  msg: Msg;
  logger: Logger;
  contentType: ContentType;
  /** The handler's reply headers; the body's `Content-Type` (and a stream's marker) are set on them as they go. */
  headers: MsgHdrs;
}

/**
 * Answers one request: decodes it, calls the handler, and sends its reply, its stream of replies, or its
 * failure, in the content type the request came in. Never throws.
 */
export async function respond<Req extends DescMessage, Res extends DescMessage, Tokens extends string[]>(
  connection: NatsConnection,
  msg: Msg,
  contract: RequestSubject<Req, Res, Tokens>,
  handler: RequestHandler<Req, Res, Tokens>,
  logger: Logger,
): Promise<void> {
  const target: ReplyTarget = {
    connection,
    msg,
    logger,
    contentType: contentTypeOf(msg.headers) ?? PROTOBUF,
    headers: natsHeaders(),
  };
  try {
    const request = decodeMessage(contract.request, msg.data, msg.headers);
    const tokens = (wildcardValues(contract.pattern, msg.subject) ?? []) as Tokens;
    const returned = handler(request, { subject: msg.subject, tokens, headers: msg.headers, replyHeaders: target.headers });
    // A handler that answers at once is answered at once: the reply leaves in the same tick as the request.
    const result = returned instanceof Promise ? await returned : returned;
    if (isAsyncIterable(result)) await stream(target, contract.reply, result);
    else send(target, encodeBody(contract.reply, result, target.contentType));
  } catch (error) {
    fail(target, error);
  }
}

async function stream<Res extends DescMessage>(target: ReplyTarget, schema: Res, items: AsyncIterable<MessageInitShape<Res>>) {
  try {
    for await (const item of items) {
      // Nobody to send to any more: stop the stream's producer (leaving the loop calls its return()).
      if (!send(target, encodeBody(schema, item, target.contentType), markStreamItem)) return;
    }
    sendReply(target.connection, target.msg, streamEnd(), target.logger);
  } catch (error) {
    fail(target, error, markStreamEnd);
  }
}

function send(target: ReplyTarget, data: Uint8Array, mark?: (headers: MsgHdrs) => MsgHdrs): boolean {
  target.headers.set('Content-Type', target.contentType);
  // The client encodes headers as it publishes, so the one header set serves every reply of a stream.
  const headers = mark ? mark(target.headers) : target.headers;
  return sendReply(target.connection, target.msg, { data, headers }, target.logger);
}

function fail(target: ReplyTarget, error: unknown, mark?: (headers: MsgHdrs) => MsgHdrs): void {
  const wire = encodeError(handlerFailure(error, target.msg.subject, target.logger), target.contentType, target.headers);
  sendReply(target.connection, target.msg, { data: wire.data, headers: mark ? mark(wire.headers) : wire.headers }, target.logger);
}

export function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return (
    typeof value === 'object' && value !== null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function'
  );
}
