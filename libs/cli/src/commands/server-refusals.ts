import type { Bus } from '@lichen/bus';

type Connection = NonNullable<Bus['connection']>;

/**
 * What the NATS server refuses on a connection for want of permission, from the moment this is made. A refused
 * publish or subscribe does not fail in the client: the server answers with an `-ERR` that the client reports
 * only as a status. That `-ERR` comes before the answer to the next flush, so `flush()` can tell.
 */
export class ServerRefusals {
  readonly #refusals: string[] = [];

  constructor(private readonly connection: Connection) {
    void this.#watch();
  }

  /** Waits until the server has taken everything sent so far; fails when it refused any of it. */
  async flush(): Promise<void> {
    await this.connection.flush();
    // The status was queued before the flush's answer came; the loop below takes it a turn later.
    await new Promise((resolve) => setImmediate(resolve));
    const refusal = this.#refusals[0];
    if (refusal !== undefined) throw new Error(`the NATS server refused: ${refusal}`);
  }

  async #watch(): Promise<void> {
    // Ends when the connection closes.
    for await (const status of this.connection.status()) {
      if (status.type === 'error' && status.error.name === 'PermissionViolationError') this.#refusals.push(status.error.message);
    }
  }
}

/** The bus's connection, watched for refusals; the bus must be ready. */
export function watchRefusals(bus: Bus): ServerRefusals {
  const connection = bus.connection;
  if (!connection || connection.isClosed()) throw new Error('not connected to the bus');
  return new ServerRefusals(connection);
}
