import type { HeaderView } from './inbound-message.js';

/** A model's answer: its bytes and headers, published on the route's `output`. */
export interface ModelAnswer {
  readonly data: Uint8Array;
  readonly headers?: HeaderView;
}

/** Why a model gave no answer; `unavailable` when nothing serves it. */
export class ModelCallError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'timeout' | 'error',
    message: string,
  ) {
    super(message);
  }
}

/** Where routed messages go: the bus, the cloud spool, the inference service. Implemented over NATS. */
export interface RouteOutlet {
  /** Publishes at once; `hops` set means the message may reach another route, and carries the count. */
  publish(subject: string, data: Uint8Array, headers: HeaderView | undefined, hops: number | undefined): void;
  /** Resolves when the spool stream has stored the message. `hops` as for `publish`. */
  spool(subject: string, data: Uint8Array, headers: HeaderView | undefined, hops: number | undefined): Promise<void>;
  /** Sends the payload to `lichen.infer.<model>`; rejects with a `ModelCallError`. `hops` as for `publish`. */
  ask(model: string, data: Uint8Array, headers: HeaderView | undefined, hops: number | undefined): Promise<ModelAnswer>;
}
