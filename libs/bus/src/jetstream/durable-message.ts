import type { MsgHdrs } from '@nats-io/transport-node';

/** A message from a durable consumer, as its handler sees it. Acknowledged by the bus, not by the handler. */
export interface DurableMessage {
  subject: string;
  data: Uint8Array;
  headers?: MsgHdrs;
  /** The message's sequence in its stream. */
  seq: number;
  /** How many times it has been delivered, this time included (1 the first time). */
  deliveryCount: number;
}

/** Handles a durable message: resolving acknowledges it, throwing asks for it again after a delay. */
export type DurableHandler = (message: DurableMessage) => void | Promise<void>;

export interface ConsumeOptions {
  /** Wait before a failed message comes again, doubled with each delivery up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Messages pulled ahead of the handler. */
  maxMessages?: number;
}

/** How long a message that failed `deliveryCount` times waits before its next delivery. */
export function retryDelay(deliveryCount: number, options: ConsumeOptions): number {
  const first = options.retryDelayMs ?? 1_000;
  return Math.min(first * 2 ** Math.max(0, deliveryCount - 1), options.maxRetryDelayMs ?? 60_000);
}
