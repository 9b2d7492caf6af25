import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@lichen/logging';

export interface BusConnectionOptions {
  servers: string | string[];
  /** The connection name the server shows, usually the service. */
  name: string;
  logger: Logger;
  /** First wait between attempts to connect; it doubles up to `maxRetryDelayMs`, with jitter. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * Connects to NATS and stays connected: the first connection is retried forever (1 s doubling to 60 s, with
 * jitter), later drops are left to the client's own reconnect. Every change of state is logged once.
 */
export class BusConnection {
  #connection: NatsConnection | undefined;
  #closed = false;
  #connected = false;
  readonly #listeners = new Set<(connected: boolean) => void>();
  readonly ready: Promise<NatsConnection>;

  constructor(private readonly options: BusConnectionOptions) {
    this.ready = this.#connectForever();
    this.ready.catch(() => undefined);
  }

  get connection(): NatsConnection | undefined {
    return this.#connection;
  }

  get connected(): boolean {
    return this.#connected;
  }

  onChange(listener: (connected: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    if (connection && !connection.isClosed()) await connection.drain().catch(() => connection.close());
    this.#setConnected(false);
  }

  async #connectForever(): Promise<NatsConnection> {
    const { logger, servers, name } = this.options;
    let delay = this.options.retryDelayMs ?? 1_000;
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        const connection = await connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 1_000 });
        if (this.#closed) {
          await connection.close();
          break;
        }
        this.#connection = connection;
        this.#setConnected(true);
        logger.info({ server: connection.getServer(), attempt }, 'bus connected');
        void this.#watch(connection);
        return connection;
      } catch (error) {
        logger.warn({ err: error, servers, attempt, retryInMs: delay }, 'bus not reachable, retrying');
        await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + Math.random() * 0.4)));
        delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 60_000);
      }
    }
    throw new Error('bus connection closed before it connected');
  }

  async #watch(connection: NatsConnection): Promise<void> {
    const { logger } = this.options;
    for await (const status of connection.status()) {
      switch (status.type) {
        case 'disconnect':
          this.#setConnected(false);
          logger.warn({ server: status.server }, 'bus disconnected');
          break;
        case 'reconnect':
          this.#setConnected(true);
          logger.info({ server: status.server }, 'bus reconnected');
          break;
        case 'error':
          logger.warn({ err: status.error }, 'bus error');
          break;
        case 'slowConsumer':
          logger.warn({ subject: status.sub.getSubject(), pending: status.pending }, 'bus slow consumer');
          break;
      }
    }
    this.#setConnected(false);
    if (!this.#closed) logger.error('bus connection closed');
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    for (const listener of this.#listeners) listener(connected);
  }
}
