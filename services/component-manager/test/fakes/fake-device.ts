import { ComponentBook, type StateTransition } from '../../src/domain/component/component-book.js';
import { DeploymentCoordinator } from '../../src/domain/deployment/deployment-coordinator.js';
import type { DeploymentRecord } from '../../src/domain/deployment/deployment-record.js';
import { DeploymentRunner } from '../../src/domain/deployment/deployment-runner.js';
import { documentValidator } from '../../src/document-validator.js';
import { RuntimeSet } from '../../src/domain/runtime/runtime-set.js';
import { ComponentSupervisor } from '../../src/domain/supervision/component-supervisor.js';
import { RestartBook, type RestartTimings } from '../../src/domain/supervision/restart-book.js';
import { FakeRuntime } from './fake-runtime.js';
import { MemoryStore } from './memory-store.js';

export const quickTimings: RestartTimings = {
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  maxErrors: 3,
  errorWindowMs: 60_000,
  resetAfterMs: 60_000,
};

/** The component manager's domain wired as the module wires it, on a fake runtime and an in-memory store. */
export function fakeDevice(options: { store?: MemoryStore; runtime?: FakeRuntime; reconcileIntervalMs?: number } = {}) {
  const runtime = options.runtime ?? new FakeRuntime();
  const store = options.store ?? new MemoryStore();
  const transitions: StateTransition[] = [];
  const reports: DeploymentRecord[] = [];
  const late: { coordinator?: DeploymentCoordinator } = {};
  const book = new ComponentBook((transition) => {
    transitions.push(transition);
    late.coordinator?.noteTransition(transition);
    const { state, reason, restarts, recentErrors } = transition.record;
    if (transition.removed) store.componentStates.delete(transition.record.name);
    else store.componentStates.set(transition.record.name, { state, reason, restarts, recentErrors });
  });
  const runtimes = new RuntimeSet({ process: runtime });
  const supervisor = new ComponentSupervisor(
    {
      runtimes,
      book,
      restarts: new RestartBook(quickTimings),
      probe: { tcp: async () => true },
      launchEnv: (spec) => ({ LICHEN_COMPONENT: spec.name }),
      log: () => undefined,
    },
    { restart: quickTimings, settleMs: 10, startTimeoutMs: 1_000, pullTimeoutMs: 1_000, stopMarginMs: 100 },
  );
  const runner = new DeploymentRunner({
    supervisor,
    runtimes,
    book,
    publishConfig: async () => undefined,
    onPlanned: (actions) => late.coordinator?.notePlanned(actions),
  });
  const coordinator = new DeploymentCoordinator(
    {
      store,
      runner,
      supervisor,
      runtimes,
      book,
      validate: documentValidator({ dockerAvailable: () => false }),
      report: (record) => reports.push(record),
      log: () => undefined,
    },
    { reconcileIntervalMs: options.reconcileIntervalMs ?? 60_000, historyLimit: 50 },
  );
  late.coordinator = coordinator;
  return { runtime, store, book, supervisor, coordinator, transitions, reports };
}

/** A document with process components: `name -> extra fields` (each runs `sleep`). */
export function processDocument(
  name: string,
  revision: number,
  components: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
) {
  return {
    apiVersion: 'lichen.dev/v1',
    kind: 'Deployment',
    metadata: { name, revision },
    components: Object.fromEntries(
      Object.entries(components).map(([component, fields]) => [component, { process: { run: 'sleep 1000' }, ...fields }]),
    ),
    ...extra,
  };
}
