import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@lichen/logging';
import type { Serving } from '../serving/served-subscription.js';
import { retryDelay, type ConsumeOptions, type DurableHandler } from './durable-message.js';
import { loadJetStream } from './jetstream-loader.js';

/**
 * Feeds a durable pull consumer's messages to a handler, one at a time in stream order, and acknowledges each
 * once the handler resolves (a throw asks for it again after a growing delay). The client re-pulls across
 * reconnects; when the consume itself ends (the consumer was deleted, the stream is missing), it starts over
 * after a pause, until stopped.
 */
export class DurableConsumer implements Serving {
  #messages: ConsumerMessages | undefined;
  #stopped = false;
  #busy = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    private readonly target: { stream: string; durable: string },
    private readonly handler: DurableHandler,
    private readonly options: ConsumeOptions,
    private readonly logger: Logger,
  ) {}

  get inFlight(): number {
    return this.#busy ? 1 : 0;
  }

  start(connection: Promise<NatsConnection>): void {
    connection.then(
      (ready) => {
        if (!this.#stopped) this.#loop = this.#run(ready);
      },
      () => undefined,
    );
  }

  /** Stops pulling and waits for the message in hand; before the first connection there is nothing to wait for. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#messages?.close().catch(() => undefined);
    await this.#loop;
  }

  async #run(connection: NatsConnection): Promise<void> {
    const { jetstream } = await loadJetStream();
    const { stream, durable } = this.target;
    let pause = 1_000;
    let failing = false;
    while (!this.#stopped) {
      try {
        const consumer = await jetstream(connection).consumers.get(stream, durable);
        this.#messages = await consumer.consume({ max_messages: this.options.maxMessages ?? 64 });
        if (this.#stopped) await this.#messages.close();
        if (failing) this.logger.info({ stream, durable }, 'durable consumer consuming again');
        failing = false;
        pause = 1_000;
        for await (const message of this.#messages) {
          if (this.#stopped) break;
          await this.#handle(message);
        }
      } catch (error) {
        if (!failing)
          this.logger.warn({ stream, durable, reason: (error as Error).message }, 'durable consumer failed, retrying');
        failing = true;
      }
      if (this.#stopped) break;
      await this.#sleep(pause);
      pause = Math.min(pause * 2, 30_000);
    }
  }

  /** A pause that `stop()` cuts short. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #handle(message: JsMsg): Promise<void> {
    this.#busy = true;
    const { subject, data, headers, seq } = message;
    const deliveryCount = message.info.deliveryCount;
    try {
      await this.handler({ subject, data, headers, seq, deliveryCount });
      this.#settle(message, () => message.ack());
    } catch (error) {
      const delay = retryDelay(deliveryCount, this.options);
      this.logger.warn(
        { stream: this.target.stream, subject, seq, deliveryCount, retryInMs: delay, err: error },
        'durable message failed',
      );
      this.#settle(message, () => message.nak(delay));
    } finally {
      this.#busy = false;
    }
  }

  /** An ack or nak that cannot be sent (the connection closed) only means the message comes again: say so. */
  #settle(message: JsMsg, send: () => void): void {
    try {
      send();
    } catch (error) {
      this.logger.warn(
        { stream: this.target.stream, seq: message.seq, reason: (error as Error).message },
        'acknowledgement not sent',
      );
    }
  }
}
