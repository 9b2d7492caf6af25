import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@lichen/logging';
import type { WireMessage } from '../wire/message-codec.js';

/**
 * Sends a reply to a request's inbox through the connection (which, unlike `msg.respond`, refuses once it is
 * closed or draining instead of dropping the reply unseen). A reply that can no longer be sent is logged,
 * never thrown: the handler's work is done and nobody is left to catch it. False when nothing was sent, also
 * for a request that asked for no reply.
 */
export function sendReply(connection: NatsConnection, msg: Msg, wire: WireMessage, logger: Logger): boolean {
  if (!msg.reply) return false;
  try {
    connection.publish(msg.reply, wire.data, { headers: wire.headers });
    return true;
  } catch (error) {
    logger.warn({ subject: msg.subject, reason: error instanceof Error ? error.message : String(error) }, 'reply not sent');
    return false;
  }
}
