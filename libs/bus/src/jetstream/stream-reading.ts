import type { ConsumerMessages, JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { jetStreamFailure, isMissing } from './jetstream-failure.js';
import type { JetStreamModule } from './jetstream-loader.js';

/** A message read from a stream, with its sequence there. */
export interface StreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

/** A stream's messages from a sequence on, in order, as they arrive; `close()` ends the iteration. */
export interface StreamReading extends AsyncIterable<StreamMessage> {
  close(): Promise<void>;
}

/** What a stream holds now. `created` tells a stream made anew (its sequences start over) from the one before. */
export interface StreamState {
  readonly created: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly messages: number;
  readonly bytes: number;
}

/**
 * Reads a stream from `fromSeq` on with an ordered consumer: no acknowledgements, no server-side state to clean
 * up, in sequence order across reconnects (the client makes the consumer again after the last sequence it saw).
 * A sequence the stream no longer holds starts at the first one it does. `buffer` messages are pulled ahead.
 */
export async function readStream(
  js: JetStreamModule,
  client: JetStreamClient,
  stream: string,
  fromSeq: number,
  buffer: number,
): Promise<StreamReading> {
  let messages: ConsumerMessages;
  try {
    const consumer = await client.consumers.get(stream, {
      deliver_policy: js.DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, fromSeq),
    });
    // A pull that expires sooner than the default 30 s: after a NATS restart the client notices a silent pull only
    // when it expires and its heartbeats are missed (about 45 s with the default, 8 s with this).
    messages = await consumer.consume({ max_messages: buffer, expires: 5_000 });
  } catch (error) {
    throw jetStreamFailure(js, `reading stream ${stream}`, error);
  }
  return {
    // The client's own messages: each has its sequence, subject and data (no copy, no generator step per message).
    [Symbol.asyncIterator]: () => messages[Symbol.asyncIterator](),
    close: async () => {
      await messages.close().catch(() => undefined);
    },
  };
}

export async function streamState(js: JetStreamModule, jsm: JetStreamManager, stream: string): Promise<StreamState> {
  try {
    const { created, state } = await jsm.streams.info(stream);
    return {
      created,
      firstSeq: state.first_seq,
      lastSeq: state.last_seq,
      messages: state.messages,
      bytes: state.bytes,
    };
  } catch (error) {
    throw jetStreamFailure(js, `reading the state of stream ${stream}`, error);
  }
}

/** The message at `seq` (or, with `lastOf`, the last one on a subject); undefined when there is none. */
export async function storedMessage(
  js: JetStreamModule,
  jsm: JetStreamManager,
  stream: string,
  at: { seq: number } | { lastOf: string },
): Promise<{ seq: number; data: Uint8Array; time: Date } | undefined> {
  try {
    const found = await jsm.streams.getMessage(stream, 'seq' in at ? { seq: at.seq } : { last_by_subj: at.lastOf });
    return found ? { seq: found.seq, data: found.data, time: found.time } : undefined;
  } catch (error) {
    if (isMissing(js, error)) return undefined;
    throw jetStreamFailure(js, `reading a message of stream ${stream}`, error);
  }
}
