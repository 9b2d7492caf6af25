/** A component's last known state, as the state events on the bus announced it. */
export interface ComponentStateChange {
  component: string;
  /** A state name such as RUNNING or BROKEN. */
  state: string;
  removed?: boolean;
}

/**
 * The state of every component on the device, kept from the state events on the bus. A component leaves the
 * book when an event says it was removed.
 */
export class ComponentStateBook {
  readonly #states = new Map<string, string>();

  apply(change: ComponentStateChange): void {
    if (change.removed) this.#states.delete(change.component);
    else this.#states.set(change.component, change.state);
  }

  /** Component name to state, sorted by name. */
  entries(): [component: string, state: string][] {
    return [...this.#states].sort(([a], [b]) => a.localeCompare(b));
  }

  countByState(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const state of this.#states.values()) counts[state] = (counts[state] ?? 0) + 1;
    return counts;
  }
}
