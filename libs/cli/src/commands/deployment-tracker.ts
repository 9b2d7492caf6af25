import type { DeploymentStatus } from '@lichen/contracts';
import { phaseRank } from '../format/deployment-phase.js';

/**
 * The latest known status of one deployment, from two sources that can race: the progress events (in the order
 * the device published them, so each one replaces the last) and a status asked for on the side (to catch a
 * deployment that moved, or even finished, before the first event reached us). An answer never takes the
 * status back to an earlier phase, and once an event has been heard it wins over an answer in the same phase,
 * since the event may be the newer of the two.
 */
export class DeploymentTracker {
  #current: DeploymentStatus;
  #heardEvent = false;

  constructor(initial: DeploymentStatus) {
    this.#current = initial;
  }

  get id(): string {
    return this.#current.id;
  }

  get current(): DeploymentStatus {
    return this.#current;
  }

  /** A progress event; returns the new status when it is this deployment's. */
  event(status: DeploymentStatus): DeploymentStatus | undefined {
    if (status.id !== this.id) return undefined;
    this.#heardEvent = true;
    this.#current = status;
    return status;
  }

  /** A status asked for on the side; returns it when it is newer than what we know. */
  answer(status: DeploymentStatus): DeploymentStatus | undefined {
    if (status.id !== this.id) return undefined;
    const [rank, known] = [phaseRank(status.phase), phaseRank(this.#current.phase)];
    if (rank < known || (rank === known && this.#heardEvent)) return undefined;
    this.#current = status;
    return status;
  }
}
