import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { fillPattern, type EventSubject, type RequestSubject } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import { BusConnection, type BusConnectionOptions } from './bus-connection.js';
import type * as T from './bus.types.js';
import { readReply } from './client/reply-reader.js';
import { encodeRequest } from './client/request-encoder.js';
import { gather } from './client/request-many.js';
import { notConnected, requestFailure } from './client/request-failure.js';
import { readStream } from './client/request-stream.js';
import { BusJetStream } from './jetstream/bus-jetstream.js';
import { queueGroupFor } from './serving/queue-group.js';
import { listen } from './serving/event-listener.js';
import { respond } from './serving/request-responder.js';
import { ServedSubscription } from './serving/served-subscription.js';
import { ServingRegistry } from './serving/serving-registry.js';
import { within } from './serving/within.js';
import { optionalHeaders, type HeadersInit } from './wire/headers.js';
import { decodeError, encodeMessage } from './wire/message-codec.js';

/**
 * The Lichen bus: typed publish, subscribe, request and serve over the subject map, on the clean wire
 * (protobuf or JSON body by `Content-Type`, errors as `Nats-Service-Error` headers), raw bytes for hot paths,
 * and JetStream (`bus.jetstream`). Subscriptions made before the first connection are attached as soon as it
 * is up. `stopServing()` then `close()` shut it down without losing a request in flight.
 */
export class Bus {
  readonly #link: BusConnection;
  readonly #logger: Logger;
  readonly #servings = new ServingRegistry();
  #jetstream: BusJetStream | undefined;

  private constructor(options: BusConnectionOptions) {
    this.#link = new BusConnection(options);
    this.#logger = options.logger;
  }

  static connect(options: BusConnectionOptions): Bus {
    return new Bus(options);
  }

  /** Resolves once connected for the first time. */
  get ready(): Promise<void> {
    return this.#link.ready.then(() => undefined);
  }

  get connected(): boolean {
    return this.#link.connected;
  }

  /** The raw NATS connection; undefined before the first connection. Prefer `publishRaw`/`subscribeRaw`. */
  get connection(): NatsConnection | undefined {
    return this.#link.connection;
  }

  /** JetStream: streams, durable consumers and acknowledged publishes. Its client loads on first use. */
  get jetstream(): BusJetStream {
    return (this.#jetstream ??= new BusJetStream(this.#link, this.#servings, this.#logger));
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    const off = this.#link.onChange(listener);
    return () => void off();
  }

  publish<Ev extends DescMessage, Tokens extends string[]>(
    event: EventSubject<Ev, Tokens>,
    tokens: Tokens,
    message: MessageInitShape<Ev>,
    options: T.PublishOptions = {},
  ): void {
    const { data, headers } = encodeMessage(event.event, message, options.contentType, options.headers);
    this.#requireConnection().publish(event.subject(...tokens), data, { headers });
  }

  /** Typed events on the contract's pattern. Never in a queue group unless `queue` is given: every subscriber hears. */
  subscribe<Ev extends DescMessage, Tokens extends string[]>(
    event: EventSubject<Ev, Tokens>,
    handler: T.EventHandler<Ev, Tokens>,
    options: { queue?: string } = {},
  ): T.Unsubscribe {
    return this.#attach(event.pattern, options.queue, (msg) => listen(msg, event, handler, this.#logger));
  }

  /**
   * Answers requests on the contract's pattern (or, with `tokens`, on the subjects with those wildcards filled).
   * Replicas share the requests through a queue group named after the pattern; a fan-out contract has none,
   * so every instance answers.
   */
  serve<Req extends DescMessage, Res extends DescMessage, Tokens extends string[]>(
    contract: RequestSubject<Req, Res, Tokens>,
    handler: T.RequestHandler<Req, Res, Tokens>,
    options: T.ServeOptions = {},
  ): T.Unsubscribe {
    const subject = fillPattern(contract.pattern, options.tokens ?? [], { partial: true });
    const queue = options.queue ?? (contract.fanOut ? undefined : queueGroupFor(contract.pattern));
    return this.#attach(subject, queue, (msg, connection) => respond(connection, msg, contract, handler, this.#logger));
  }

  async request<Req extends DescMessage, Res extends DescMessage, Tokens extends string[]>(
    contract: RequestSubject<Req, Res, Tokens>,
    message: MessageInitShape<Req>,
    ...[options]: T.CallOptions<Tokens, T.RequestOptions>
  ): Promise<MessageShape<Res>> {
    return (await this.#call(contract, message, options ?? {})).message;
  }

  /** As `request`, with the reply's headers. */
  async requestReply<Req extends DescMessage, Res extends DescMessage, Tokens extends string[]>(
    contract: RequestSubject<Req, Res, Tokens>,
    message: MessageInitShape<Req>,
    ...[options]: T.CallOptions<Tokens, T.RequestOptions>
  ): Promise<T.Reply<Res>> {
    return this.#call(contract, message, options ?? {});
  }

  async #call<Req extends DescMessage, Res extends DescMessage, Tokens extends string[]>(
    contract: RequestSubject<Req, Res, Tokens>,
    message: MessageInitShape<Req>,
    options: T.RequestOptions & { tokens?: string[] },
  ): Promise<T.Reply<Res>> {
    const { subject, data, headers } = encodeRequest(contract, message, options);
    let reply: Msg;
    try {
      reply = await this.#requireConnection().request(subject, data, { headers, timeout: options.timeoutMs ?? 5_000 });
    } catch (error) {
      throw requestFailure(subject, error);
    }
    return readReply(contract.reply, reply);
  }

  /** Scatter-gather on a fan-out contract: every reply that comes within `maxWaitMs` (1 s by default). */
  async requestMany<Req extends DescMessage, Res extends DescMessage, Tokens extends string[]>(
    contract: RequestSubject<Req, Res, Tokens>,
    message: MessageInitShape<Req>,
    ...[options = {}]: T.CallOptions<Tokens, T.RequestManyOptions>
  ): Promise<(T.Reply<Res> | T.FailedReply)[]> {
    const request = encodeRequest(contract, message, options);
    const { maxWaitMs = 1_000, maxReplies } = options;
    return gather(this.#requireConnection(), contract.reply, { ...request, maxWaitMs, maxReplies });
  }

  /** A request answered by a stream: yields each reply until the handler's end marker (see stream-marker.ts). */
  async *requestStream<Req extends DescMessage, Res extends DescMessage, Tokens extends string[]>(
    contract: RequestSubject<Req, Res, Tokens>,
    message: MessageInitShape<Req>,
    ...[options = {}]: T.CallOptions<Tokens, T.RequestStreamOptions>
  ): AsyncGenerator<MessageShape<Res>, void, undefined> {
    const request = encodeRequest(contract, message, options);
    const idleTimeoutMs = options.idleTimeoutMs ?? 5_000;
    yield* readStream(this.#requireConnection(), contract.reply, { ...request, idleTimeoutMs });
  }

  /** Opaque bytes to a subject, on the same connection: the hot path, with nothing encoded. */
  publishRaw(subject: string, data: Uint8Array, options?: { headers?: HeadersInit }): void {
    const connection = this.#link.connection;
    if (!connection || connection.isClosed()) throw notConnected();
    connection.publish(subject, data, options?.headers ? { headers: optionalHeaders(options.headers) } : undefined);
  }

  /**
   * Opaque bytes as a request, for callers that pass payloads through (the router's `model:` routes): the reply's
   * bytes and headers. No responder, no reply in time, or an error reply (`Nats-Service-Error`) is a `BusError`.
   */
  async requestRaw(
    subject: string,
    data: Uint8Array,
    options: { timeoutMs?: number; headers?: HeadersInit } = {},
  ): Promise<T.RawReply> {
    let reply: Msg;
    try {
      reply = await this.#requireConnection().request(subject, data, {
        headers: optionalHeaders(options.headers),
        timeout: options.timeoutMs ?? 5_000,
      });
    } catch (error) {
      throw requestFailure(subject, error);
    }
    const failure = decodeError(reply.data, reply.headers);
    if (failure) throw failure;
    return { data: reply.data, headers: reply.headers };
  }

  /** Waits until the server has processed everything sent so far (subscriptions included). */
  async flush(): Promise<void> {
    await this.#requireConnection().flush();
  }

  /** Opaque bytes from a subject (wildcards allowed), attached on the first connection like typed subscriptions. */
  subscribeRaw(subject: string, handler: T.RawHandler, options: { queue?: string } = {}): T.Unsubscribe {
    return this.#attach(subject, options.queue, (msg) => handler(msg.data, msg));
  }

  /**
   * Stops every subscription, served subject and durable consumer from taking new messages, and resolves once
   * every handler in flight has finished and its reply has been sent and flushed (or after `timeoutMs`).
   */
  async stopServing(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    if (!(await within(this.#servings.stopAll(), timeoutMs))) {
      this.#logger.warn({ inFlight: this.#servings.inFlight, timeoutMs }, 'stopped waiting for handlers in flight');
    }
    const connection = this.#link.connection;
    if (connection && !connection.isClosed()) await within(connection.flush(), 5_000);
  }

  /** `stopServing()`, then drains and closes the connection. */
  async close(): Promise<void> {
    await this.stopServing();
    await this.#link.close();
  }

  #attach(
    subject: string,
    queue: string | undefined,
    onMessage: (msg: Msg, connection: NatsConnection) => unknown,
  ): T.Unsubscribe {
    const served = new ServedSubscription(subject, queue, onMessage, this.#logger);
    if (!this.#servings.add(served)) {
      this.#logger.warn({ subject }, 'not subscribing: the bus is stopping');
      return async () => undefined;
    }
    const connection = this.#link.connection;
    if (connection) served.attach(connection);
    else
      this.#link.ready.then(
        (ready) => served.attach(ready),
        () => undefined,
      );
    return () => this.#servings.remove(served);
  }

  #requireConnection(): NatsConnection {
    const connection = this.#link.connection;
    if (!connection || connection.isClosed()) throw notConnected();
    return connection;
  }
}
