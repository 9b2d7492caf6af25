import type { ComponentSpec, RuntimeKind } from '../component/component-spec.js';

/**
 * One command of a plan, as Azure IoT Edge's edgeAgent has them: the planner decides, the runner executes.
 * - `remove`: stop and remove an instance the desired state no longer has;
 * - `create`: install and start a component that has no instance;
 * - `update`: the spec changed in a way that needs a new instance: stop the old one, start the new one;
 * - `configure`: nothing that needs a new instance changed: keep it running with the new spec, and tell it its
 *   config when that changed.
 */
export type PlanStep =
  | { readonly kind: 'remove'; readonly name: string; readonly runtime: RuntimeKind }
  | { readonly kind: 'create'; readonly spec: ComponentSpec }
  | { readonly kind: 'update'; readonly spec: ComponentSpec; readonly previousRuntime: RuntimeKind }
  | { readonly kind: 'configure'; readonly spec: ComponentSpec; readonly configChanged: boolean };

/** Removals first; then one stage per dependency level, a component's dependencies in an earlier stage. */
export interface Plan {
  readonly removals: readonly Extract<PlanStep, { kind: 'remove' }>[];
  readonly stages: readonly (readonly Exclude<PlanStep, { kind: 'remove' }>[])[];
  /** Components that are already as desired and are not touched. */
  readonly unchanged: readonly string[];
}
