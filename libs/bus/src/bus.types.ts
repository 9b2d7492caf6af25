import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { BusError } from './wire/bus-error.js';
import type { ContentType } from './wire/content-type.js';
import type { HeadersInit } from './wire/headers.js';

/** What a handler learns about a message besides its body. */
export interface MessageMeta<Tokens extends string[] = string[]> {
  /** The concrete subject the message came on. */
  subject: string;
  /** The values of the pattern's `*` wildcards in that subject, in order (`['press-7']` for `lichen.health.press-7.get`). */
  tokens: Tokens;
  headers?: MsgHdrs;
}

/** What a request handler learns, and where it puts headers for its reply (every item, when it streams). */
export interface RequestMeta<Tokens extends string[] = string[]> extends MessageMeta<Tokens> {
  replyHeaders: MsgHdrs;
}

/** A reply, or a stream of replies: an `AsyncIterable` sends each item, then the stream's end marker. */
export type HandlerResult<Res extends DescMessage> =
  | MessageInitShape<Res>
  | AsyncIterable<MessageInitShape<Res>>
  | Promise<MessageInitShape<Res> | AsyncIterable<MessageInitShape<Res>>>;

export type RequestHandler<Req extends DescMessage, Res extends DescMessage, Tokens extends string[] = string[]> = (
  request: MessageShape<Req>,
  meta: RequestMeta<Tokens>,
) => HandlerResult<Res>;

export type EventHandler<Ev extends DescMessage, Tokens extends string[] = string[]> = (
  event: MessageShape<Ev>,
  meta: MessageMeta<Tokens>,
) => void | Promise<void>;

/** What a raw handler learns about a message: the NATS message itself, read-only. */
export interface RawMessageMeta {
  readonly subject: string;
  readonly headers?: MsgHdrs;
  readonly reply?: string;
}

/** The reply to a raw request. */
export interface RawReply {
  readonly data: Uint8Array;
  readonly headers?: MsgHdrs;
}

export type RawHandler = (data: Uint8Array, meta: RawMessageMeta) => void | Promise<void>;

export interface PublishOptions {
  contentType?: ContentType;
  headers?: HeadersInit;
}

export interface ServeOptions {
  /** Serve only the subjects with these leading (or all) wildcards filled: a device serving its own subject. */
  tokens?: string[];
  /** Queue group; by default one per subject pattern, and none for a fan-out contract. */
  queue?: string;
}

export interface RequestOptions {
  timeoutMs?: number;
  contentType?: ContentType;
  headers?: HeadersInit;
}

/** Options of a call on a contract: `tokens` fill its wildcards, required exactly when it has any. */
export type CallOptions<Tokens extends string[], Extra> = Tokens extends []
  ? [options?: Extra & { tokens?: [] }]
  : [options: Extra & { tokens: Tokens }];

export interface RequestManyOptions extends Omit<RequestOptions, 'timeoutMs'> {
  /** How long to gather replies; the call returns when it ends (or at `maxReplies`). */
  maxWaitMs?: number;
  maxReplies?: number;
}

export interface RequestStreamOptions extends Omit<RequestOptions, 'timeoutMs'> {
  /** The longest wait for the next item (and for the first); longer and the stream fails with a timeout. */
  idleTimeoutMs?: number;
}

/** A decoded reply with the headers it came with. */
export interface Reply<Res extends DescMessage> {
  message: MessageShape<Res>;
  headers: MsgHdrs | undefined;
}

/** A gathered reply that is an error (or does not decode). */
export interface FailedReply {
  error: BusError;
  headers: MsgHdrs | undefined;
}

/** Stops a subscription or a served subject: resolves once its handlers in flight have finished. */
export type Unsubscribe = () => Promise<void>;
