import type { ComponentSpec } from './component-spec.js';
import type { ComponentStateName } from './component-state.js';

/** What the device knows of one component now. */
export interface ComponentRecord {
  readonly name: string;
  readonly spec: ComponentSpec;
  readonly state: ComponentStateName;
  readonly reason: string;
  /** The deployment that last set this component up. */
  readonly deployment: string;
  readonly since: Date;
  readonly restarts: number;
  readonly recentErrors: number;
  readonly instanceId?: string;
  /** Why it last failed (an exit, a health check); cleared once it runs healthy again. */
  readonly lastError: string;
}

export interface StateTransition {
  readonly record: ComponentRecord;
  readonly previous?: ComponentStateName;
  /** The component left the device. */
  readonly removed: boolean;
}

/**
 * The components and their states. Every change of state goes through `transition`, which tells the listener
 * (the reporter publishes `lichen.evt.component.<name>.state`), so no transition goes unpublished.
 */
export class ComponentBook {
  private readonly records = new Map<string, ComponentRecord>();

  constructor(
    private readonly onTransition: (transition: StateTransition) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get(name: string): ComponentRecord | undefined {
    return this.records.get(name);
  }

  list(): ComponentRecord[] {
    return [...this.records.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Moves a component to `state`; a first call brings it onto the book. */
  transition(
    spec: ComponentSpec,
    state: ComponentStateName,
    details: { reason?: string; deployment?: string; instanceId?: string; restarts?: number; recentErrors?: number } = {},
  ): ComponentRecord {
    const previous = this.records.get(spec.name);
    const record: ComponentRecord = {
      name: spec.name,
      spec,
      state,
      reason: details.reason ?? '',
      deployment: details.deployment ?? previous?.deployment ?? '',
      since: previous?.state === state ? previous.since : this.now(),
      restarts: details.restarts ?? previous?.restarts ?? 0,
      recentErrors: details.recentErrors ?? previous?.recentErrors ?? 0,
      instanceId: details.instanceId ?? previous?.instanceId,
      lastError:
        state === 'ERRORED' || state === 'BROKEN'
          ? (details.reason ?? '')
          : state === 'RUNNING' || state === 'NEW'
            ? ''
            : (previous?.lastError ?? ''),
    };
    this.records.set(spec.name, record);
    if (previous?.state !== state || previous.reason !== record.reason) {
      this.onTransition({ record, previous: previous?.state, removed: false });
    }
    return record;
  }

  /** Takes a component off the book (it was removed from the device). */
  remove(name: string): void {
    const record = this.records.get(name);
    if (!record) return;
    this.records.delete(name);
    this.onTransition({ record: { ...record, state: 'FINISHED', since: this.now() }, previous: record.state, removed: true });
  }
}
