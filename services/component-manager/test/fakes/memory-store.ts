import type { ComponentRecord } from '../../src/domain/component/component-book.js';
import type { DeploymentRecord } from '../../src/domain/deployment/deployment-record.js';
import type { DeploymentStore } from '../../src/domain/deployment/deployment-store.js';
import type { SavedComponentState } from '../../src/domain/supervision/component-supervisor.js';

/** The deployment store in memory: what Redis keeps, for unit specs. */
export class MemoryStore implements DeploymentStore {
  readonly records = new Map<string, DeploymentRecord>();
  currentId: string | undefined;
  activeId: string | undefined;
  queued: string[] = [];
  readonly componentStates = new Map<string, SavedComponentState>();

  async save(record: DeploymentRecord): Promise<void> {
    this.records.set(record.id, record);
  }
  async saveFinal(record: DeploymentRecord, options: { current?: string }): Promise<void> {
    this.records.set(record.id, record);
    if (options.current) this.currentId = options.current;
  }
  async get(id: string): Promise<DeploymentRecord | undefined> {
    return this.records.get(id);
  }
  async list(limit: number): Promise<DeploymentRecord[]> {
    return [...this.records.values()].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt)).slice(0, limit);
  }
  async current(): Promise<string | undefined> {
    return this.currentId;
  }
  async setCurrent(id: string): Promise<void> {
    this.currentId = id;
  }
  async active(): Promise<string | undefined> {
    return this.activeId;
  }
  async setActive(id: string | undefined): Promise<void> {
    this.activeId = id;
  }
  async queue(): Promise<string[]> {
    return this.queued;
  }
  async setQueue(ids: readonly string[]): Promise<void> {
    this.queued = [...ids];
  }
  async saveComponent(record: ComponentRecord, removed: boolean): Promise<void> {
    if (removed) this.componentStates.delete(record.name);
    else
      this.componentStates.set(record.name, {
        state: record.state,
        reason: record.reason,
        restarts: record.restarts,
        recentErrors: record.recentErrors,
      });
  }
  async components(): Promise<Record<string, SavedComponentState>> {
    return Object.fromEntries(this.componentStates);
  }
}
