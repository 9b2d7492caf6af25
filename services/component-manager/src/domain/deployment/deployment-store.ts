import type { ComponentRecord } from '../component/component-book.js';
import type { SavedComponentState } from '../supervision/component-supervisor.js';
import type { DeploymentRecord } from './deployment-record.js';

/**
 * Where deployments live (Redis): every record, which one the device runs, which one is in flight, the queue,
 * and the components' last known states.
 */
export interface DeploymentStore {
  save(record: DeploymentRecord): Promise<void>;
  /**
   * Saves a deployment's final record and, with `current`, makes it the one the device runs, in one write: a
   * crash cannot leave a finished deployment that is not current, or a current one that looks unfinished.
   */
  saveFinal(record: DeploymentRecord, options: { current?: string }): Promise<void>;
  get(id: string): Promise<DeploymentRecord | undefined>;
  /** Newest first. */
  list(limit: number): Promise<DeploymentRecord[]>;
  /** The deployment the device runs: the last one that succeeded, or the one a rollback restored. */
  current(): Promise<string | undefined>;
  setCurrent(id: string): Promise<void>;
  /** The deployment in flight, if the manager stopped (or died) during one. */
  active(): Promise<string | undefined>;
  setActive(id: string | undefined): Promise<void>;
  queue(): Promise<string[]>;
  setQueue(ids: readonly string[]): Promise<void>;
  /** Keeps a component's state as the book has it now; `removed` takes it off. */
  saveComponent(record: ComponentRecord, removed: boolean): Promise<void>;
  /** Each component's last known state, restart count and errors, as they were before a restart. */
  components(): Promise<Record<string, SavedComponentState>>;
}
