import type { BusAccess } from '../access/bus-access.js';
import type { ComponentBook } from '../component/component-book.js';
import type { ComponentSpec } from '../component/component-spec.js';
import { settledStates } from '../component/component-state.js';
import { formatDuration, sleep, StepAbortedError, withDeadline } from '../deadline.js';
import { planDeployment, type DesiredComponents } from '../planning/deployment.planner.js';
import type { Plan, PlanStep } from '../planning/plan-step.js';
import type { RuntimeSet } from '../runtime/runtime-set.js';
import type { ComponentSupervisor } from '../supervision/component-supervisor.js';
import type { ComponentAction } from './deployment-record.js';

/** A deployment the runner can carry out: what to run, and what to do when it does not come up. */
export interface RunnableDeployment extends DesiredComponents {
  readonly id: string;
  readonly failurePolicy: 'rollback' | 'none';
  readonly timeoutMs: number;
}

export interface RunnerPorts {
  readonly supervisor: ComponentSupervisor;
  readonly runtimes: RuntimeSet;
  readonly book: ComponentBook;
  /** The components' users on the bus. */
  readonly access: BusAccess;
  /** Tells a running component its new config (the `config.changed` event). */
  readonly publishConfig: (spec: ComponentSpec, deployment: string) => Promise<void>;
  /** Each component's planned action, as soon as the plan is made. */
  readonly onPlanned: (actions: Record<string, ComponentAction>) => void;
}

/** A component that did not come up, and why: what the operator reads in the deployment's status. */
export class ComponentFailure extends Error {
  override readonly name = 'ComponentFailure';
  constructor(
    readonly component: string,
    readonly problem: string,
  ) {
    super(`${component}: ${problem}`);
  }
}

/** How many components of one stage start at once: enough to overlap pulls and engine calls. */
const STAGE_CONCURRENCY = 8;
/** Allowed beyond a component's startup timeout for the gate to see the verdict its watch reached. */
const GATE_MARGIN_MS = 1_000;
/** Listing what runs: an engine that takes longer is as good as down. */
const LIST_TIMEOUT_MS = 30_000;

/**
 * `deploy`: a deployment (or its rollback): BROKEN components are reinstalled, each stage is gated on health.
 * `reconcile`: the periodic pass: puts back what went missing; a component the supervisor is restarting (or
 * has given up on) is left to it, and nothing is gated.
 */
export type ConvergeMode = 'deploy' | 'reconcile';

/**
 * Carries out one deployment, the way edgeAgent reconciles: plan the difference between desired and actual, run
 * the plan stage by stage, and gate each stage on its components' health before the next one starts.
 * `converge` throws a `ComponentFailure` (or a step's timeout) on the first component that does not come up.
 */
export class DeploymentRunner {
  constructor(private readonly ports: RunnerPorts) {}

  async converge(
    desired: RunnableDeployment,
    applied: Readonly<Record<string, ComponentSpec>>,
    signal: AbortSignal,
    mode: ConvergeMode,
  ): Promise<Plan> {
    const deploying = mode === 'deploy';
    const broken = new Set(
      this.ports.book
        .list()
        .filter((record) => record.state === 'BROKEN')
        .map((record) => record.name),
    );
    const actual = await withDeadline('listing components', LIST_TIMEOUT_MS, signal, () => this.ports.runtimes.instances());
    const plan = planDeployment(desired, actual, applied, deploying ? broken : new Set());
    if (deploying) this.ports.onPlanned(actionsOf(plan));
    for (const removal of plan.removals) {
      await this.ports.supervisor.stop(removal.name, removal.runtime, { remove: true, signal });
      await this.ports.access.revoke(removal.name);
    }
    // Components that never got an instance (an install that failed) leave with their deployment.
    for (const record of this.ports.book.list()) {
      if (!(record.name in desired.components) && !plan.removals.some((removal) => removal.name === record.name)) {
        this.ports.supervisor.discard(record.name);
        await this.ports.access.revoke(record.name);
      }
    }
    const planned = new Map(
      plan.stages
        .flat()
        .filter((step) => deploying || this.supervisorHandsOff(step.spec.name))
        .map((step) => [step.spec.name, step]),
    );
    for (const stage of desired.startOrder) {
      const steps = stage.map((name) => planned.get(name)).filter((step) => step !== undefined);
      await inBatches(steps, STAGE_CONCURRENCY, (step) => this.execute(step, desired.id, signal));
      if (deploying) await Promise.all(stage.map((name) => this.gate(desired.components[name], signal)));
    }
    // Users of components that left, or of versions that were replaced, go.
    await this.ports.access.keepOnly(Object.values(desired.components));
    return plan;
  }

  private async execute(step: Exclude<PlanStep, { kind: 'remove' }>, deployment: string, signal: AbortSignal): Promise<void> {
    const { supervisor } = this.ports;
    const name = step.spec.name;
    try {
      if (step.kind === 'configure') {
        await this.ports.access.grant(step.spec); // its permissions, applied to the connected client at once
        supervisor.reconfigure(step.spec, deployment);
        if (step.configChanged) await this.ports.publishConfig(step.spec, deployment);
        return;
      }
      if (step.kind === 'update') await supervisor.stop(name, step.previousRuntime, { remove: false, signal });
      await supervisor.launch(step.spec, deployment, signal);
    } catch (error) {
      if (error instanceof StepAbortedError) throw error.forComponent(name);
      throw new ComponentFailure(name, (error as Error).message);
    }
  }

  /** Whether the supervisor leaves the component alone: it has none, or it runs (or ran) fine. */
  private supervisorHandsOff(name: string): boolean {
    const state = this.ports.book.get(name)?.state;
    return state === undefined || settledStates.has(state);
  }

  /** Waits until the component is RUNNING (healthy) or FINISHED; fails when BROKEN or out of time. */
  private async gate(spec: ComponentSpec | undefined, signal: AbortSignal): Promise<void> {
    if (!spec) return;
    const deadline = Date.now() + spec.health.startupTimeoutMs + GATE_MARGIN_MS;
    for (;;) {
      const record = this.ports.book.get(spec.name);
      if (record && settledStates.has(record.state)) return;
      if (record?.state === 'BROKEN') throw new ComponentFailure(spec.name, record.reason);
      // Down for good: its restart policy will not start it again.
      if (record?.state === 'ERRORED' && spec.restart.policy === 'never') throw new ComponentFailure(spec.name, record.reason);
      if (Date.now() >= deadline) {
        if (record?.lastError) throw new ComponentFailure(spec.name, record.lastError);
        const last = record ? `${record.state}${record.reason ? `: ${record.reason}` : ''}` : 'never started';
        throw new ComponentFailure(
          spec.name,
          `not running and healthy within ${formatDuration(spec.health.startupTimeoutMs)} (${last})`,
        );
      }
      try {
        await sleep(50, signal);
      } catch (reason) {
        throw new StepAbortedError(`waiting for ${spec.name}`, reason, spec.name);
      }
    }
  }
}

function actionsOf(plan: Plan): Record<string, ComponentAction> {
  const actions: Record<string, ComponentAction> = {};
  for (const name of plan.unchanged) actions[name] = 'unchanged';
  for (const removal of plan.removals) actions[removal.name] = 'remove';
  for (const step of plan.stages.flat()) actions[step.spec.name] = step.kind;
  return actions;
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects once the running ones settle. */
async function inBatches<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const failures: unknown[] = [];
  const lanes = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined && failures.length === 0; item = queue.shift()) {
      await work(item).catch((error: unknown) => failures.push(error));
    }
  });
  await Promise.all(lanes);
  if (failures.length > 0) throw failures[0];
}
