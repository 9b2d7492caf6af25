import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { BusError } from '../wire/bus-error.js';
import { streamPart } from '../wire/stream-marker.js';
import { isNoResponders, readReply } from './reply-reader.js';
import { noResponders } from './request-failure.js';

export interface StreamCall {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  idleTimeoutMs: number;
}

/**
 * Sends a request whose replies come as a stream (see stream-marker.ts) to an inbox of its own, and yields
 * each decoded item until the end marker. An error reply, no responder, or a wait for the next item longer
 * than `idleTimeoutMs` throws a `BusError`. Leaving the loop early unsubscribes the inbox.
 */
export async function* readStream<Res extends DescMessage>(
  connection: NatsConnection,
  schema: Res,
  call: StreamCall,
): AsyncGenerator<MessageShape<Res>, void, undefined> {
  const inbox = createInbox();
  const subscription = connection.subscribe(inbox);
  try {
    connection.publish(call.subject, call.data, { reply: inbox, headers: call.headers });
    const messages = subscription[Symbol.asyncIterator]();
    for (;;) {
      const next = await nextWithin(messages, call.idleTimeoutMs, call.subject);
      if (next.done) throw new BusError('BUS_REQUEST_FAILED', 'unavailable', `the stream of ${call.subject} broke off`);
      const msg = next.value;
      if (isNoResponders(msg)) throw noResponders(call.subject);
      const part = streamPart(msg.headers);
      if (part === 'end' && msg.data.length === 0 && !msg.headers?.has('Nats-Service-Error-Code')) return;
      yield readReply(schema, msg).message;
      if (part !== 'item') return;
    }
  } finally {
    subscription.unsubscribe();
  }
}

async function nextWithin(messages: AsyncIterator<Msg>, ms: number, subject: string): Promise<IteratorResult<Msg>> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BusError('BUS_TIMEOUT', 'deadline-exceeded', `the stream of ${subject} was idle for ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([messages.next(), idle]);
  } finally {
    clearTimeout(timer);
  }
}
