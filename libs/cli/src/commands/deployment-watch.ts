import type { Bus, Unsubscribe } from '@lichen/bus';
import { subjects, type DeploymentStatus } from '@lichen/contracts';
import { isFinalPhase } from '../format/deployment-phase.js';
import { DeploymentTracker } from './deployment-tracker.js';
import type { ProgressView } from './progress-view.js';

/** Events kept from before `follow` (the id is not known until the request that starts a deployment answers). */
const EARLY_EVENTS_KEPT = 1_000;
/** The longest timer Node keeps; a longer one fires at once. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export interface FollowResult {
  status: DeploymentStatus;
  /** True when the wait ended before a final phase: the deployment goes on on the device. */
  timedOut: boolean;
}

/**
 * The progress events of every deployment, listened to from before the request that starts one, so that no
 * event of it is missed. `follow` then keeps only the events of the deployment started, and asks for its
 * status once (and after each reconnect), in case it moved on before the first event came.
 */
export class DeploymentWatch {
  readonly #early: DeploymentStatus[] = [];
  #listener: ((status: DeploymentStatus) => void) | undefined;
  #unsubscribe: Unsubscribe | undefined;

  private constructor(private readonly bus: Bus) {}

  /** Subscribes, and resolves once the server has the subscription. */
  static async open(bus: Bus): Promise<DeploymentWatch> {
    const watch = new DeploymentWatch(bus);
    watch.#unsubscribe = bus.subscribe(subjects.deploy.progress, (status) => watch.#heard(status));
    await bus.connection?.flush();
    return watch;
  }

  /** Shows each new status of the deployment `initial` is the first status of, until a final phase or `timeoutMs`. */
  follow(
    initial: DeploymentStatus,
    view: ProgressView,
    settings: { timeoutMs: number; requestTimeoutMs: number },
  ): Promise<FollowResult> {
    const tracker = new DeploymentTracker(initial);
    view.show(initial);
    return new Promise((resolve) => {
      let done = false;
      const settle = (timedOut: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stopWatchingConnection();
        this.#listener = undefined;
        resolve({ status: tracker.current, timedOut });
      };
      const take = (status: DeploymentStatus | undefined) => {
        if (done || !status) return;
        view.show(status);
        if (isFinalPhase(status.phase)) settle(false);
      };
      const ask = () =>
        this.bus.request(subjects.deploy.status, { id: tracker.id }, { timeoutMs: settings.requestTimeoutMs }).then(
          (status) => take(tracker.answer(status)),
          // The events still come; asking again after a reconnect covers what a lost answer would have said.
          () => undefined,
        );

      const timer = setTimeout(() => settle(true), Math.min(settings.timeoutMs, LONGEST_TIMER_MS));
      const stopWatchingConnection = this.bus.onConnectionChange((connected) => connected && void ask());
      if (isFinalPhase(initial.phase)) return settle(false);
      this.#listener = (status) => take(tracker.event(status));
      for (const status of this.#early.splice(0)) take(tracker.event(status));
      void ask();
    });
  }

  async close(): Promise<void> {
    this.#listener = undefined;
    await this.#unsubscribe?.();
  }

  #heard(status: DeploymentStatus): void {
    if (this.#listener) this.#listener(status);
    else if (this.#early.length < EARLY_EVENTS_KEPT) this.#early.push(status);
  }
}
