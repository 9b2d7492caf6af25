import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@lichen/logging';
import { natsOptions, type BusAuth, type BusTls } from './connection/nats-options.js';
import { redactServer, redactServers } from './connection/server-urls.js';

export type { BusAuth, BusTls } from './connection/nats-options.js';

/** How long closing waits for pending messages to reach the server before it gives up on them. */
const DRAIN_BOUND_MS = 5_000;

export interface BusConnectionOptions {
  /** Server URLs; credentials in one (`nats://user:pass@host`) are used when `auth` is not given, never logged. */
  servers: string | string[];
  /** The connection name the server shows, usually the service. */
  name: string;
  logger: Logger;
  auth?: BusAuth;
  /** Connect over TLS (required when given), trusting `caFile` and presenting `certFile`/`keyFile`. */
  tls?: BusTls;
  /** First wait between attempts to connect; it doubles up to `maxRetryDelayMs`, with jitter. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * Connects to NATS and stays connected: the first connection is retried forever (1 s doubling to 60 s, with
 * jitter), later drops are left to the client's own reconnect. Every change of state is logged once, with the
 * servers' addresses stripped of any credentials.
 */
export class BusConnection {
  #connection: NatsConnection | undefined;
  #closed = false;
  #connected = false;
  /** Ends the wait between two first-connection attempts, so that close() does not wait it out. */
  #wake: (() => void) | undefined;
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

  /** Drains the connection (pending messages are sent) and closes it; also stops a first connection still trying. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    const connection = this.#connection;
    if (connection && !connection.isClosed() && !connection.isDraining()) {
      // A drain waits for the server; while it is away that could be forever, so it gets a bound.
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), DRAIN_BOUND_MS)));
      const drained = connection.drain().then(
        () => 'drained' as const,
        () => 'failed' as const,
      );
      const outcome = await Promise.race([drained, bound]);
      clearTimeout(timer);
      if (outcome !== 'drained') await connection.close();
    }
    await connection?.closed();
    this.#setConnected(false);
  }

  async #connectForever(): Promise<NatsConnection> {
    const { logger } = this.options;
    const client = natsOptions(this.options);
    const servers = redactServers(this.options.servers);
    let delay = this.options.retryDelayMs ?? 1_000;
    for (let attempt = 1; !this.#closed; attempt++) {
      try {
        const connection = await connect(client);
        if (this.#closed) {
          await connection.close();
          break;
        }
        this.#connection = connection;
        this.#setConnected(true);
        logger.info({ server: redactServer(connection.getServer()), attempt }, 'bus connected');
        void this.#watch(connection);
        return connection;
      } catch (error) {
        logger.warn({ reason: reasonOf(error), servers, attempt, retryInMs: delay }, 'bus not reachable, retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay * (0.8 + Math.random() * 0.4));
          this.#wake = () => (clearTimeout(timer), resolve());
        });
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
          logger.warn({ server: redactServer(status.server) }, 'bus disconnected');
          break;
        case 'reconnect':
          this.#setConnected(true);
          logger.info({ server: redactServer(status.server) }, 'bus reconnected');
          break;
        case 'error':
          logger.warn({ reason: reasonOf(status.error) }, 'bus error');
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

/**
 * A client error as one line: its message and its cause's. Only the message is logged, not the error object,
 * whose fields could hold what the client was given.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
