import type { RuntimeKind } from '../component/component-spec.js';
import type { ComponentInstance, ComponentRuntime } from './component-runtime.js';

/** The runtimes this device has: `process` always, `docker` when an engine answers. */
export class RuntimeSet {
  constructor(private readonly runtimes: Partial<Record<RuntimeKind, ComponentRuntime>>) {}

  get(kind: RuntimeKind): ComponentRuntime {
    const runtime = this.runtimes[kind];
    if (!runtime) throw new Error(`this device has no ${kind === 'docker' ? 'Docker engine' : `${kind} runtime`}`);
    return runtime;
  }

  has(kind: RuntimeKind): boolean {
    return this.runtimes[kind] !== undefined;
  }

  all(): ComponentRuntime[] {
    return Object.values(this.runtimes).filter((runtime): runtime is ComponentRuntime => runtime !== undefined);
  }

  /** Every instance of every runtime. */
  async instances(): Promise<ComponentInstance[]> {
    return (await Promise.all(this.all().map((runtime) => runtime.list()))).flat();
  }
}
