/** A component's last known state, as the state events on the bus announced it. */
export interface ComponentStateChange {
  component: string;
  /** A state name such as RUNNING or BROKEN. */
  state: string;
  removed?: boolean;
  /** When the transition happened, if the event says. */
  at?: Date;
}

/** A component's state as the component manager lists it on request, to fill the book at start. */
export interface ComponentStateSeed {
  component: string;
  state: string;
  /** Since when the component has been in that state, if the list says. */
  since?: Date;
}

/**
 * The state of every component on the device, kept from the state events on the bus, and seeded at start from
 * the component manager's list so that a restarted exporter is not blank. A component leaves the book when an
 * event says it was removed.
 */
export class ComponentStateBook {
  readonly #states = new Map<string, string>();
  /** The time of the last event heard for each component (removals included); null when it carried none. */
  readonly #heard = new Map<string, Date | null>();

  apply(change: ComponentStateChange): void {
    if (change.removed) this.#states.delete(change.component);
    else this.#states.set(change.component, change.state);
    this.#heard.set(change.component, change.at ?? null);
  }

  /**
   * Records listed states. An event heard for a component wins over its listed state, since the list may have
   * been taken before the event; unless both carry a time and the listed state began after the event.
   */
  seed(seeds: readonly ComponentStateSeed[]): void {
    for (const seed of seeds) {
      const heard = this.#heard.get(seed.component);
      if (heard !== undefined && !(heard && seed.since && seed.since > heard)) continue;
      this.#states.set(seed.component, seed.state);
    }
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
