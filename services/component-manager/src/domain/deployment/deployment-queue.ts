/** What the queue needs to know of a deployment. */
export interface Queueable {
  readonly id: string;
  readonly target: string;
}

/**
 * Deployments waiting their turn, oldest first. One runs at a time (the coordinator takes the head); a newer
 * deployment for the same target supersedes the queued ones, as Greengrass does: only the latest intent matters.
 */
export class DeploymentQueue<T extends Queueable> {
  private items: T[] = [];

  /** Queues `item`; returns the queued deployments it supersedes (removed from the queue). */
  enqueue(item: T): T[] {
    const superseded = this.items.filter((queued) => queued.target === item.target);
    this.items = [...this.items.filter((queued) => queued.target !== item.target), item];
    return superseded;
  }

  /** Puts a deployment at the head without superseding anything: one that was in flight when the manager died. */
  putFirst(item: T): void {
    this.items = [item, ...this.items.filter((queued) => queued.id !== item.id)];
  }

  /** Takes the next deployment to run. */
  take(): T | undefined {
    return this.items.shift();
  }

  /** Drops a queued deployment (a cancel); undefined when it is not queued. */
  remove(id: string): T | undefined {
    const found = this.items.find((item) => item.id === id);
    this.items = this.items.filter((item) => item.id !== id);
    return found;
  }

  list(): readonly T[] {
    return [...this.items];
  }
}
