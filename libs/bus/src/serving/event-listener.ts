import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { Msg } from '@nats-io/transport-node';
import { wildcardValues, type EventSubject } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import type { EventHandler } from '../bus.types.js';
import { decodeMessage } from '../wire/message-codec.js';

/**
 * Hands one event to its handler. An event that does not decode is dropped with a warning (a publisher's bug
 * must not stop the subscriber); a handler that fails is logged with the subject. Never throws.
 */
export async function listen<Ev extends DescMessage, Tokens extends string[]>(
  msg: Msg,
  event: EventSubject<Ev, Tokens>,
  handler: EventHandler<Ev, Tokens>,
  logger: Logger,
): Promise<void> {
  let decoded: MessageShape<Ev>;
  try {
    decoded = decodeMessage(event.event, msg.data, msg.headers);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn({ subject: msg.subject, reason }, 'dropped an event that does not decode');
    return;
  }
  try {
    const tokens = (wildcardValues(event.pattern, msg.subject) ?? []) as Tokens;
    await handler(decoded, { subject: msg.subject, tokens, headers: msg.headers });
  } catch (error) {
    logger.error({ subject: msg.subject, err: error }, 'event handler failed');
  }
}
