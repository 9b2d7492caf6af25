import { Bus, BusError, type Unsubscribe } from '@lichen/bus';
import { subjects, type DesiredDeployment } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import { routeDefinitionOf, type RouteDefinition } from '@lichen/routes';

/** How long to wait before asking again when the component manager does not answer yet. */
const RETRY_MS = 2_000;

/**
 * Follows the deployment the device converges to (`lichen.deploy.desired`, then every `lichen.evt.desired`),
 * and hands its routes on. Asks again after every reconnect, since events sent meanwhile are lost; an answer
 * older than an event that came while it was asked for is ignored.
 */
export class DesiredRoutesFollower {
  #events = 0;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #waitingSaid = false;
  readonly #cleanup: (() => void | Promise<void>)[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly onRoutes: (deploymentId: string, routes: RouteDefinition[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const unsubscribe: Unsubscribe = this.bus.subscribe(subjects.deploy.desiredChanged, (desired) => {
      this.#events++;
      return this.#take(desired);
    });
    this.#cleanup.push(
      unsubscribe,
      this.bus.onConnectionChange((connected) => connected && this.#ask()),
    );
    void this.bus.ready.then(() => this.#ask());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.all(this.#cleanup.splice(0).map((stop) => stop()));
  }

  async #ask(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    const eventsBefore = this.#events;
    try {
      const desired = await this.bus.request(subjects.deploy.desired, {});
      if (!this.#stopped && this.#events === eventsBefore) await this.#take(desired);
    } catch (error) {
      if (this.#stopped) return;
      if (!this.#waitingSaid && error instanceof BusError && error.code === 'BUS_NO_RESPONDERS') {
        this.#waitingSaid = true;
        this.logger.info('no routes yet: waiting for the component manager to answer lichen.deploy.desired');
      } else if (!(error instanceof BusError && error.code === 'BUS_NO_RESPONDERS')) {
        this.logger.warn({ err: (error as Error).message }, 'cannot learn the desired deployment; asking again');
      }
      this.#timer = setTimeout(() => void this.#ask(), RETRY_MS);
      this.#timer.unref();
    }
  }

  #take(desired: DesiredDeployment): Promise<void> {
    return this.onRoutes(desired.deploymentId, routesOf(desired));
  }
}

/** The routes of a desired deployment as the router compiles them (the component manager validated them). */
export function routesOf(desired: DesiredDeployment): RouteDefinition[] {
  return (desired.document?.routes ?? []).map((route) => routeDefinitionOf(route));
}
