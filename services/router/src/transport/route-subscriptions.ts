import { Bus, type Unsubscribe } from '@lichen/bus';
import type { Logger } from '@lichen/logging';
import type { RouteDefinition } from '@lichen/routes';
import type { MessageRouter } from '../domain/message-router.js';

/**
 * Keeps one raw subscription per filter of the router's table. A new table is put in force without a gap:
 * new filters are subscribed and confirmed by the server first, then the table is swapped, then filters no
 * longer needed are drained. A filter both tables have keeps its subscription, so an unchanged route never
 * stops receiving.
 */
export class RouteSubscriptions {
  readonly #subscriptions = new Map<string, Unsubscribe>();
  #applying: Promise<void> = Promise.resolve();
  #said: string | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly router: MessageRouter,
    private readonly logger: Logger,
  ) {}

  /**
   * Puts a deployment's routes in force. Calls are applied one after the other, in order, each compiled against
   * the routes in force when its turn comes (so an unchanged route keeps its state however quickly they come).
   */
  apply(deploymentId: string, routes: readonly RouteDefinition[]): Promise<void> {
    const applied = this.#applying.then(() => this.#apply(deploymentId, routes));
    // One that fails (it cannot: the bus queues subscriptions while disconnected) must not stop the later ones.
    this.#applying = applied.catch((error: Error) => this.logger.error({ err: error.message }, 'routes not put in force'));
    return applied;
  }

  async close(): Promise<void> {
    await this.#applying;
    await Promise.all([...this.#subscriptions.values()].map((unsubscribe) => unsubscribe()));
    this.#subscriptions.clear();
  }

  async #apply(deploymentId: string, routes: readonly RouteDefinition[]): Promise<void> {
    const table = this.router.prepare(deploymentId, routes);
    const wanted = new Set(table.filters.map((filter) => filter.text));
    for (const filter of wanted) {
      if (this.#subscriptions.has(filter)) continue;
      const unsubscribe = this.bus.subscribeRaw(filter, (data, meta) =>
        this.router.handle(filter, { subject: meta.subject, data, headers: meta.headers }),
      );
      this.#subscriptions.set(filter, unsubscribe);
    }
    // Subscriptions made while disconnected are attached on connection, before any message can arrive.
    if (this.bus.connected) await this.bus.flush().catch(() => undefined);
    this.router.activate(table);
    for (const [filter, unsubscribe] of [...this.#subscriptions]) {
      if (wanted.has(filter)) continue;
      this.#subscriptions.delete(filter);
      await unsubscribe();
    }
    // Said once per change: the desired deployment is told at start, asked for, and told again on reconnects.
    const said = JSON.stringify([table.deploymentId, table.routes.map((route) => route.compiled.key)]);
    if (said === this.#said) return;
    this.#said = said;
    this.logger.info(
      { deployment: table.deploymentId || undefined, routes: table.routes.length, subscriptions: wanted.size },
      'routes in force',
    );
  }
}
