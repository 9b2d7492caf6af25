import { BusError, type Bus } from '@lichen/bus';
import { DeploymentPhase, subjects, type DeploymentStatus } from '@lichen/contracts';
import {
  DeploymentRefusedError,
  DeploymentsUnavailableError,
  type DeploymentOutcome,
  type Deployments,
  type FinalDeploymentPhase,
} from '../domain/jobs/deployments.js';

export interface BusDeploymentsSettings {
  /** How long to wait for each answer of the component manager (5 s unless told). */
  readonly requestTimeoutMs?: number;
  /** How often to ask for a followed deployment's status, in case an event was missed (5 s unless told). */
  readonly pollIntervalMs?: number;
}

const finalPhases: ReadonlyMap<DeploymentPhase, FinalDeploymentPhase> = new Map([
  [DeploymentPhase.SUCCEEDED, 'SUCCEEDED'],
  [DeploymentPhase.FAILED, 'FAILED'],
  [DeploymentPhase.FAILED_ROLLED_BACK, 'FAILED_ROLLED_BACK'],
  [DeploymentPhase.CANCELED, 'CANCELED'],
  [DeploymentPhase.SUPERSEDED, 'SUPERSEDED'],
]);

/** Bus failures that say the component manager could not be reached, not that it refused. */
const unreachable = new Set(['BUS_NO_RESPONDERS', 'BUS_TIMEOUT', 'BUS_NOT_CONNECTED', 'BUS_REQUEST_FAILED']);

/**
 * The component manager's deployments over the bus: `lichen.deploy.apply` with the document's text, then the
 * deployment's `lichen.evt.deploy.<id>` events until a final phase, with `lichen.deploy.status` asked at once
 * and every `pollIntervalMs` so that an event missed (before the subscription, or while the bus was away) cannot
 * leave the wait hanging.
 */
export class BusDeployments implements Deployments {
  constructor(
    private readonly bus: Bus,
    private readonly settings: BusDeploymentsSettings = {},
  ) {}

  async apply(document: string): Promise<{ id: string }> {
    try {
      const queued = await this.bus.request(
        subjects.deploy.apply,
        { source: { case: 'document', value: document } },
        { timeoutMs: this.#timeoutMs },
      );
      return { id: queued.id };
    } catch (error) {
      throw applyFailure(error);
    }
  }

  waitUntilFinal(id: string, signal: AbortSignal): Promise<DeploymentOutcome> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(stopReason(signal));
      let done = false;
      const finish = (outcome: DeploymentOutcome | Error) => {
        if (done) return;
        done = true;
        clearInterval(timer);
        signal.removeEventListener('abort', aborted);
        void unsubscribe();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const take = (status: DeploymentStatus) => {
        const phase = finalPhases.get(status.phase);
        if (status.id === id && phase) finish({ id, phase, reason: reasonOf(status) });
      };
      const ask = () =>
        this.bus.request(subjects.deploy.status, { id }, { timeoutMs: this.#timeoutMs }).then(take, (error: unknown) => {
          if (isNotFound(error)) finish(new Error(`the component manager does not know deployment ${id}`));
          // Anything else (no answer, the bus away) is asked again at the next interval.
        });
      const aborted = () => finish(stopReason(signal));
      const unsubscribe = this.bus.subscribe(subjects.deploy.progress, take);
      const timer = setInterval(() => void ask(), this.settings.pollIntervalMs ?? 5_000);
      signal.addEventListener('abort', aborted, { once: true });
      void ask();
    });
  }

  get #timeoutMs(): number {
    return this.settings.requestTimeoutMs ?? 5_000;
  }
}

/** Why a deployment did not succeed: its own reason, else those of its components. */
function reasonOf(status: DeploymentStatus): string {
  if (status.reason || status.phase === DeploymentPhase.SUCCEEDED) return status.reason;
  return Object.entries(status.components)
    .filter(([, progress]) => progress.reason)
    .map(([name, progress]) => `${name}: ${progress.reason}`)
    .join('; ');
}

/** A refused document, an unreachable component manager, or (as it is) any other failure. */
function applyFailure(error: unknown): unknown {
  if (!(error instanceof BusError)) return error;
  if (error.code === 'BUS_ERROR_REPLY' && (error.kind === 'invalid-argument' || error.kind === 'too-large')) {
    return new DeploymentRefusedError(error.message, error.violations);
  }
  if (unreachable.has(error.code) || error.kind === 'unavailable') {
    return new DeploymentsUnavailableError(error.message, { cause: error });
  }
  return error;
}

function stopReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('stopped following the deployment');
}

function isNotFound(error: unknown): boolean {
  return error instanceof BusError && error.code === 'BUS_ERROR_REPLY' && error.kind === 'not-found';
}
