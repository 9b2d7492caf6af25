import type { StateTransition } from '../component/component-book.js';
import type { ComponentAction, DeploymentRecord } from './deployment-record.js';
import type { StoredDeployment } from './deployment-recovery.js';
import type { DeploymentStore } from './deployment-store.js';

/**
 * The deployment being carried out, and the one place its record changes while it runs: each change is
 * published and saved, so `lichen deploy` and a restarted manager both see where it is.
 */
export class ActiveDeployment {
  readonly cancel = new AbortController();

  constructor(
    private current: DeploymentRecord,
    /** The deployment the device ran before this one: what a rollback restores. */
    readonly previous: StoredDeployment | undefined,
    private readonly publish: (record: DeploymentRecord) => void,
    private readonly store: Pick<DeploymentStore, 'save' | 'saveFinal'>,
  ) {}

  get record(): DeploymentRecord {
    return this.current;
  }

  get id(): string {
    return this.current.id;
  }

  /** Cancelled by the operator (not stopped because the manager is stopping). */
  get cancelled(): boolean {
    return this.cancel.signal.aborted;
  }

  async update(change: Partial<DeploymentRecord>): Promise<void> {
    this.current = { ...this.current, ...change };
    this.publish(this.current);
    await this.store.save(this.current);
  }

  /** The final record; with `current`, the deployment the device now runs (both in one write). */
  async finish(change: Partial<DeploymentRecord>, options: { current?: string } = {}): Promise<void> {
    this.current = { ...this.current, ...change, finishedAt: new Date().toISOString() };
    this.publish(this.current);
    await this.store.saveFinal(this.current, options);
  }

  /** What the plan does to each component, as soon as it is made. */
  planned(actions: Record<string, ComponentAction>): void {
    if (this.current.phase !== 'IN_PROGRESS') return;
    const components = { ...this.current.components };
    for (const [name, action] of Object.entries(actions)) {
      if (action === 'remove' || components[name])
        components[name] = { ...components[name], action, reason: components[name]?.reason ?? '' };
    }
    void this.update({ components }).catch(() => undefined);
  }

  /** A component of this deployment changed state; an error's reason becomes its cause. */
  transitioned({ record }: StateTransition): void {
    const progress = this.current.components[record.name];
    if (!progress) return;
    const failed = record.state === 'ERRORED' || record.state === 'BROKEN';
    const reason = failed ? record.reason : progress.reason;
    void this.update({
      components: { ...this.current.components, [record.name]: { ...progress, state: record.state, reason } },
    }).catch(() => undefined);
  }

  /** The component that made the deployment fail, and why. */
  blame(component: string, cause: string): void {
    const progress = this.current.components[component];
    if (!progress) return;
    this.current = { ...this.current, components: { ...this.current.components, [component]: { ...progress, reason: cause } } };
  }
}
