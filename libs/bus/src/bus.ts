import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import {
  RequestError,
  TimeoutError,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { ErrorCode, type EventSubject, type RequestSubject } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import { BusConnection, type BusConnectionOptions } from './bus-connection.js';
import { BusError } from './wire/bus-error.js';
import { contentTypeOf, PROTOBUF, type ContentType } from './wire/content-type.js';
import { decodeError, decodeMessage, encodeError, encodeMessage } from './wire/message-codec.js';

/** What a handler learns about the message besides its body. */
export interface MessageMeta {
  subject: string;
  headers?: MsgHdrs;
}

export type RequestHandler<Req extends DescMessage, Res extends DescMessage> = (
  request: MessageShape<Req>,
  meta: MessageMeta,
) => MessageInitShape<Res> | Promise<MessageInitShape<Res>>;

export type EventHandler<Ev extends DescMessage> = (event: MessageShape<Ev>, meta: MessageMeta) => void | Promise<void>;

export interface RequestOptions {
  timeoutMs?: number;
  contentType?: ContentType;
}

/** Stops a subscription or a served subject. */
export type Unsubscribe = () => void;

/**
 * The Lichen bus: typed publish, subscribe, request and serve over the subject map, on the clean wire
 * (protobuf or JSON body by `Content-Type`, errors as `Nats-Service-Error` headers). Subscriptions made before
 * the first connection are attached as soon as it is up.
 */
export class Bus {
  readonly #link: BusConnection;
  readonly #logger: Logger;

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

  /** The raw NATS connection, for hot paths that move opaque bytes; undefined before the first connection. */
  get connection(): NatsConnection | undefined {
    return this.#link.connection;
  }

  onConnectionChange(listener: (connected: boolean) => void): Unsubscribe {
    const off = this.#link.onChange(listener);
    return () => void off();
  }

  publish<Ev extends DescMessage, Tokens extends string[]>(
    event: EventSubject<Ev, Tokens>,
    tokens: Tokens,
    message: MessageInitShape<Ev>,
    contentType: ContentType = PROTOBUF,
  ): void {
    const { data, headers } = encodeMessage(event.event, message, contentType);
    this.#requireConnection().publish(event.subject(...tokens), data, { headers });
  }

  subscribe<Ev extends DescMessage>(
    event: EventSubject<Ev>,
    handler: EventHandler<Ev>,
    options: { queue?: string } = {},
  ): Unsubscribe {
    return this.#attach(event.pattern, options.queue, async (msg) => {
      let decoded: MessageShape<Ev>;
      try {
        decoded = decodeMessage(event.event, msg.data, msg.headers);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.#logger.warn({ subject: msg.subject, reason }, 'dropped an event that does not decode');
        return;
      }
      try {
        await handler(decoded, { subject: msg.subject, headers: msg.headers });
      } catch (error) {
        this.#logger.error({ subject: msg.subject, err: error }, 'event handler failed');
      }
    });
  }

  serve<Req extends DescMessage, Res extends DescMessage>(
    contract: RequestSubject<Req, Res>,
    handler: RequestHandler<Req, Res>,
    options: { queue?: string } = {},
  ): Unsubscribe {
    return this.#attach(contract.subject, options.queue, async (msg) => {
      const contentType = contentTypeOf(msg.headers) ?? PROTOBUF;
      try {
        const request = decodeMessage(contract.request, msg.data, msg.headers);
        const reply = await handler(request, { subject: msg.subject, headers: msg.headers });
        const { data, headers } = encodeMessage(contract.reply, reply, contentType);
        msg.respond(data, { headers });
      } catch (error) {
        const failure = this.#asBusError(error, msg.subject);
        const { data, headers } = encodeError(failure, contentType);
        msg.respond(data, { headers });
      }
    });
  }

  async request<Req extends DescMessage, Res extends DescMessage>(
    contract: RequestSubject<Req, Res>,
    message: MessageInitShape<Req>,
    options: RequestOptions = {},
  ): Promise<MessageShape<Res>> {
    const { data, headers } = encodeMessage(contract.request, message, options.contentType);
    let reply: Msg;
    try {
      reply = await this.#requireConnection().request(contract.subject, data, { headers, timeout: options.timeoutMs ?? 5_000 });
    } catch (error) {
      throw requestFailure(contract.subject, error);
    }
    const failure = decodeError(reply.data, reply.headers);
    if (failure) throw failure;
    return decodeMessage(contract.reply, reply.data, reply.headers);
  }

  async close(): Promise<void> {
    await this.#link.close();
  }

  #attach(subject: string, queue: string | undefined, onMessage: (msg: Msg) => Promise<void>): Unsubscribe {
    let subscription: Subscription | undefined;
    let cancelled = false;
    const start = (connection: NatsConnection) => {
      if (cancelled) return;
      subscription = connection.subscribe(subject, {
        queue,
        callback: (error, msg) => {
          // A subscription error (a permission violation, say) ends the subscription: say so once.
          if (error) this.#logger.error({ subject, err: error }, 'subscription ended');
          else void onMessage(msg);
        },
      });
    };
    if (this.#link.connection) start(this.#link.connection);
    else this.#link.ready.then(start, () => undefined);
    return () => {
      cancelled = true;
      subscription?.unsubscribe();
    };
  }

  #asBusError(error: unknown, subject: string): BusError {
    if (error instanceof BusError) return error;
    this.#logger.error({ subject, err: error }, 'request handler failed');
    return new BusError(ErrorCode.INTERNAL, 'internal error', [], { cause: error });
  }

  #requireConnection(): NatsConnection {
    const connection = this.#link.connection;
    if (!connection || connection.isClosed()) throw new BusError(ErrorCode.UNAVAILABLE, 'not connected to the bus');
    return connection;
  }
}

function requestFailure(subject: string, error: unknown): BusError {
  if (error instanceof RequestError && error.isNoResponders()) {
    return new BusError(ErrorCode.UNAVAILABLE, `no service answers ${subject}`, [], { cause: error });
  }
  if (error instanceof TimeoutError || (error instanceof RequestError && error.cause instanceof TimeoutError)) {
    return new BusError(ErrorCode.DEADLINE_EXCEEDED, `no reply on ${subject} in time`, [], { cause: error });
  }
  if (error instanceof BusError) return error;
  return new BusError(ErrorCode.UNAVAILABLE, `request on ${subject} failed`, [], { cause: error });
}
