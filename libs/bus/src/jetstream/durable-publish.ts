import type { JetStreamClient } from '@nats-io/jetstream';
import { RequestError, TimeoutError } from '@nats-io/transport-node';
import { optionalHeaders, type HeadersInit } from '../wire/headers.js';
import { BusError } from '../wire/bus-error.js';
import { isJetStreamOff, jetStreamFailure } from './jetstream-failure.js';
import type { JetStreamModule } from './jetstream-loader.js';

export interface DurablePublishOptions {
  /** Sent as `Nats-Msg-Id`: the stream drops a second message with the same id within its duplicate window. */
  msgId?: string;
  headers?: HeadersInit;
  /** How long to wait for the stream's acknowledgement (5 s by default). */
  timeoutMs?: number;
}

/** The stream's acknowledgement: where the message is stored, or that it was a duplicate of one stored before. */
export interface DurablePublishAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** Publishes to a subject a stream captures and waits for the stream to acknowledge that it stored it. */
export async function publishDurable(
  js: JetStreamModule,
  client: JetStreamClient,
  subject: string,
  data: Uint8Array,
  options: DurablePublishOptions,
): Promise<DurablePublishAck> {
  try {
    const ack = await client.publish(subject, data, {
      msgID: options.msgId,
      headers: optionalHeaders(options.headers),
      timeout: options.timeoutMs ?? 5_000,
    });
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  } catch (error) {
    if (error instanceof TimeoutError || (error instanceof RequestError && error.cause instanceof TimeoutError)) {
      throw new BusError('BUS_TIMEOUT', 'deadline-exceeded', `no acknowledgement for ${subject} in time`, { cause: error });
    }
    if (isJetStreamOff(error)) {
      throw new BusError('BUS_JETSTREAM_UNAVAILABLE', 'unavailable', `no stream stores ${subject} (or JetStream is off)`, {
        cause: error,
      });
    }
    throw jetStreamFailure(js, `publishing to ${subject}`, error);
  }
}
