/** Where the link to the cloud broker is. */
export type LinkState = 'connecting' | 'connected' | 'disconnected' | 'disabled';

/** A change of the link, as `lichen.evt.cloud.connection` and `lichen cloud` show it. */
export interface LinkStatus {
  readonly state: LinkState;
  /** Why the last attempt or connection failed (a refused certificate, a broker gone), if one did. */
  readonly lastError?: string;
  /** Since when (ms since the epoch) the link has been up, or down: trying again does not reset it. */
  readonly since: number;
  /** When disconnected: when the next attempt comes (ms since the epoch). */
  readonly retryAt?: number;
  /** When connected: how many QoS 1 messages the broker takes in flight at once (MQTT 5 Receive Maximum), if it said. */
  readonly inFlightLimit?: number;
}

/** A message from the cloud broker. */
export interface CloudMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
}

export interface PublishOptions {
  /** The message's id, for the cloud side to drop a duplicate: an MQTT 5 user property, or a 3.1.1 envelope field. */
  readonly messageId?: string;
  /** QoS 1 (the default) resolves on the broker's PUBACK; QoS 0 as soon as the message is written. */
  readonly qos?: 0 | 1;
}

/**
 * The sync agent's one connection to the cloud broker (MQTT). It reconnects by itself, forever; subscriptions
 * are made again on every connection. A publish is not kept across connections: one in flight when the
 * connection drops fails, and its owner sends it again on the next one.
 */
export interface CloudLink {
  readonly status: LinkStatus;
  /** Called at every change of `status`. */
  onStatus(listener: (status: LinkStatus) => void): () => void;
  /** Sends a message; rejects with the reason when the link is down or drops before the broker confirms it. */
  publish(topic: string, payload: Uint8Array, options?: PublishOptions): Promise<void>;
  /** Subscribes to a topic filter (QoS 1) on this and every later connection; returns what unsubscribes. */
  subscribe(filter: string, handler: (message: CloudMessage) => void): () => void;
}

/**
 * The broker answered a publish with a refusal (an MQTT 5 reason code such as "not authorized", or a packet over
 * its maximum size): sending it again would be refused again, so its owner counts it and goes on.
 */
export class PublishRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`the broker refused the message: ${reason}`);
    this.name = 'PublishRefusedError';
  }
}
