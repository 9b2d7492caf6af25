import type { JsonObject } from '../component/component-spec.js';
import type { ComponentStateName } from '../component/component-state.js';

export type DeploymentPhaseName =
  'QUEUED' | 'IN_PROGRESS' | 'ROLLING_BACK' | 'SUCCEEDED' | 'FAILED' | 'FAILED_ROLLED_BACK' | 'CANCELED' | 'SUPERSEDED';

export const finalPhases: ReadonlySet<DeploymentPhaseName> = new Set([
  'SUCCEEDED',
  'FAILED',
  'FAILED_ROLLED_BACK',
  'CANCELED',
  'SUPERSEDED',
]);

/** What a deployment does to a component; `pending` until the deployment has been planned. */
export type ComponentAction = 'pending' | 'create' | 'update' | 'remove' | 'configure' | 'unchanged';

export interface ComponentProgressRecord {
  readonly state?: ComponentStateName;
  readonly action: ComponentAction;
  readonly reason: string;
}

/** A deployment as the device keeps it: its document, where it is, and each component's part in it. */
export interface DeploymentRecord {
  readonly id: string;
  readonly name: string;
  readonly revision: number;
  readonly target: string;
  readonly phase: DeploymentPhaseName;
  readonly reason: string;
  readonly components: Readonly<Record<string, ComponentProgressRecord>>;
  readonly queuedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** After a rollback: the deployment whose components the device runs again ('' for none). */
  readonly rolledBackTo?: string;
  /** The document in its JSON form, as validated: what a rollback restores. */
  readonly document: JsonObject;
}
