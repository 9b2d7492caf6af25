import type { ConsumerInfo, JetStreamClient, JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@lichen/logging';
import type { BusConnection } from '../bus-connection.js';
import type { Unsubscribe } from '../bus.types.js';
import { notConnected } from '../client/request-failure.js';
import type { ServingRegistry } from '../serving/serving-registry.js';
import { DurableConsumer } from './durable-consumer.js';
import type { ConsumeOptions, DurableHandler } from './durable-message.js';
import { publishDurable, type DurablePublishAck, type DurablePublishOptions } from './durable-publish.js';
import { ensureConsumer, type ConsumerSettings } from './ensure-consumer.js';
import { ensureStream, type Ensured, type StreamSettings } from './ensure-stream.js';
import { jetStreamFailure } from './jetstream-failure.js';
import { loadJetStream } from './jetstream-loader.js';
import { readStream, storedMessage, streamState, type StreamReading, type StreamState } from './stream-reading.js';

/**
 * JetStream on the bus's connection: streams and durable consumers made idempotently, consumers fed to
 * handlers with acknowledgements, publishes that wait for the stream. The JetStream client is loaded on the
 * first call. Calls other than `consume` need the connection up (a `BusError` otherwise).
 */
export class BusJetStream {
  #manager: Promise<JetStreamManager> | undefined;
  #client: JetStreamClient | undefined;

  constructor(
    private readonly link: BusConnection,
    private readonly servings: ServingRegistry,
    private readonly logger: Logger,
  ) {}

  /** Creates the stream, updates the keys that differ, or leaves it alone. */
  async ensureStream(settings: StreamSettings): Promise<Ensured<StreamInfo>> {
    const js = await loadJetStream();
    return ensureStream(js, await this.#jsm(), settings);
  }

  /** Creates the durable consumer, updates the keys that differ, or leaves it alone. */
  async ensureConsumer(stream: string, settings: ConsumerSettings): Promise<Ensured<ConsumerInfo>> {
    const js = await loadJetStream();
    return ensureConsumer(js, await this.#jsm(), stream, settings);
  }

  /**
   * Feeds a durable consumer's messages to `handler`, acknowledging each when it resolves and asking for it
   * again later when it throws. Starts on the first connection; `stopServing()` stops it like a subscription.
   */
  consume(stream: string, durable: string, handler: DurableHandler, options: ConsumeOptions = {}): Unsubscribe {
    const consumer = new DurableConsumer({ stream, durable }, handler, options, this.logger);
    if (!this.servings.add(consumer)) {
      this.logger.warn({ stream, durable }, 'not consuming: the bus is stopping');
      return async () => undefined;
    }
    consumer.start(this.link.ready);
    return () => this.servings.remove(consumer);
  }

  /** Publishes to a subject a stream stores and resolves with the stream's acknowledgement. */
  async publishDurable(subject: string, data: Uint8Array, options: DurablePublishOptions = {}): Promise<DurablePublishAck> {
    const connection = this.#connection();
    const js = await loadJetStream();
    this.#client ??= js.jetstream(connection);
    return publishDurable(js, this.#client, subject, data, options);
  }

  /** Reads a stream from a sequence on, in order, without acknowledgements (see `readStream`). */
  async read(stream: string, fromSeq: number, options: { buffer?: number } = {}): Promise<StreamReading> {
    const connection = this.#connection();
    const js = await loadJetStream();
    this.#client ??= js.jetstream(connection);
    return readStream(js, this.#client, stream, fromSeq, options.buffer ?? 512);
  }

  /** What a stream holds now: its first and last sequences, messages, bytes, and when it was made. */
  async streamState(stream: string): Promise<StreamState> {
    return streamState(await loadJetStream(), await this.#jsm(), stream);
  }

  /** A stored message by sequence, or the last one on a subject; undefined when there is none. */
  async storedMessage(stream: string, at: { seq: number } | { lastOf: string }) {
    return storedMessage(await loadJetStream(), await this.#jsm(), stream, at);
  }

  #jsm(): Promise<JetStreamManager> {
    const connection = this.#connection();
    this.#manager ??= loadJetStream().then(async (js) => {
      try {
        return await js.jetstreamManager(connection);
      } catch (error) {
        this.#manager = undefined;
        throw jetStreamFailure(js, 'reaching JetStream', error);
      }
    });
    return this.#manager;
  }

  #connection(): NatsConnection {
    const connection = this.link.connection;
    if (!connection || connection.isClosed()) throw notConnected();
    return connection;
  }
}
