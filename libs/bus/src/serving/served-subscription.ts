import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@lichen/logging';

/** Something that takes messages off the bus and can be told to stop taking new ones and finish what it has. */
export interface Serving {
  /** Stops taking messages, then resolves once every message already taken has been handled. */
  stop(): Promise<void>;
  /** Messages being handled right now. */
  readonly inFlight: number;
}

/**
 * One NATS subscription of the bus: made as soon as there is a connection, with the work each message starts
 * tracked, so that stopping drains the subscription (the server sends nothing more, what it sent is
 * delivered) and then waits for the handlers and their replies.
 */
export class ServedSubscription implements Serving {
  #subscription: Subscription | undefined;
  #stopped = false;
  readonly #work = new Set<Promise<unknown>>();

  constructor(
    private readonly subject: string,
    private readonly queue: string | undefined,
    private readonly onMessage: (msg: Msg, connection: NatsConnection) => unknown,
    private readonly logger: Logger,
  ) {}

  get inFlight(): number {
    return this.#work.size;
  }

  attach(connection: NatsConnection): void {
    if (this.#stopped) return;
    try {
      this.#subscription = connection.subscribe(this.subject, {
        queue: this.queue,
        callback: (error, msg) => {
          // A subscription error (a permission violation, say) ends the subscription: say so once.
          if (error) this.logger.error({ subject: this.subject, err: error }, 'subscription ended');
          else this.#track(this.onMessage(msg, connection));
        },
      });
    } catch (error) {
      this.logger.error({ subject: this.subject, err: error }, 'cannot subscribe');
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const subscription = this.#subscription;
    if (subscription && !subscription.isClosed()) {
      try {
        await subscription.drain();
      } catch {
        // The connection is gone: nothing more can arrive, and what is in flight still finishes below.
      }
    }
    await Promise.allSettled([...this.#work]);
  }

  #track(result: unknown): void {
    if (!(result instanceof Promise)) return;
    this.#work.add(result);
    result.then(
      () => this.#work.delete(result),
      (error: unknown) => {
        this.#work.delete(result);
        this.logger.error({ subject: this.subject, err: error }, 'message handler failed');
      },
    );
  }
}
