import type { ComponentSpec } from '../component/component-spec.js';
import type { ComponentInstance } from '../runtime/component-runtime.js';
import { componentFingerprint, sameConfig, sameSpec } from './component-fingerprint.js';
import type { Plan, PlanStep } from './plan-step.js';

/** What the device should run: the components and the order they start in (from the validated document). */
export interface DesiredComponents {
  readonly components: Readonly<Record<string, ComponentSpec>>;
  readonly startOrder: readonly (readonly string[])[];
}

/**
 * Turns the difference between desired and actual into a plan. Pure: the same inputs give the same plan.
 *
 * `actual` is every instance the runtimes report; `applied` is the spec each component was last given (its
 * config in particular, which no instance carries); `broken` components are reinstalled. An instance whose fingerprint matches is left alone, running
 * or exited (restarting an exited one is the supervisor's job, with its backoff); a change that needs no new
 * instance (config, health, restart policy, start order) becomes a `configure` step, or an `update` when the
 * config changed for a component that asked to be restarted on config changes.
 */
export function planDeployment(
  desired: DesiredComponents,
  actual: readonly ComponentInstance[],
  applied: Readonly<Record<string, ComponentSpec>>,
  broken: ReadonlySet<string> = new Set(),
): Plan {
  const instances = new Map(actual.map((instance) => [instance.name, instance]));
  const removals = actual
    .filter((instance) => !(instance.name in desired.components))
    .map((instance) => ({ kind: 'remove' as const, name: instance.name, runtime: instance.runtime }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const unchanged: string[] = [];
  const stages = desired.startOrder.map((stage) =>
    stage.flatMap((name): Exclude<PlanStep, { kind: 'remove' }>[] => {
      const spec = desired.components[name];
      if (!spec) return [];
      const instance = instances.get(name);
      // A new deployment reinstalls a BROKEN component, as Greengrass does.
      const step =
        instance && broken.has(name)
          ? { kind: 'update' as const, spec, previousRuntime: instance.runtime }
          : stepFor(spec, instance, applied[name]);
      if (!step) unchanged.push(name);
      return step ? [step] : [];
    }),
  );
  return { removals, stages, unchanged };
}

function stepFor(
  spec: ComponentSpec,
  instance: ComponentInstance | undefined,
  applied: ComponentSpec | undefined,
): Exclude<PlanStep, { kind: 'remove' }> | undefined {
  if (!instance) return { kind: 'create', spec };
  if (instance.runtime !== spec.runtime || instance.fingerprint !== componentFingerprint(spec)) {
    return { kind: 'update', spec, previousRuntime: instance.runtime };
  }
  if (applied && sameSpec(applied, spec)) return undefined;
  const configChanged = !applied || !sameConfig(applied, spec);
  if (configChanged && spec.restart.onConfigChange) return { kind: 'update', spec, previousRuntime: instance.runtime };
  return { kind: 'configure', spec, configChanged };
}
