import type { StateTransition } from '../../src/domain/component/component-book.js';
import { assembleComponentManager } from '../../src/domain/component-manager.js';
import type { DesiredDeployment } from '../../src/domain/deployment/deployment-coordinator.js';
import type { DeploymentRecord } from '../../src/domain/deployment/deployment-record.js';
import { RuntimeSet } from '../../src/domain/runtime/runtime-set.js';
import type { RestartTimings } from '../../src/domain/supervision/restart-book.js';
import { documentValidator } from '../../src/document-validator.js';
import { FakeRuntime } from './fake-runtime.js';
import { MemoryBusUsers } from './memory-bus-users.js';
import { MemoryStore } from './memory-store.js';

export const quickTimings: RestartTimings = {
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  maxErrors: 3,
  errorWindowMs: 60_000,
  resetAfterMs: 60_000,
};

/** The component manager's domain, assembled as the module assembles it, on a fake runtime and an in-memory store. */
export function fakeDevice(
  options: { store?: MemoryStore; runtime?: FakeRuntime; busUsers?: MemoryBusUsers; reconcileIntervalMs?: number } = {},
) {
  const runtime = options.runtime ?? new FakeRuntime();
  const store = options.store ?? new MemoryStore();
  const busUsers = options.busUsers ?? new MemoryBusUsers();
  const transitions: StateTransition[] = [];
  const reports: DeploymentRecord[] = [];
  const desired: DesiredDeployment[] = [];
  const manager = assembleComponentManager(
    {
      runtimes: new RuntimeSet({ process: runtime }),
      store,
      probe: { tcp: async () => true },
      validate: documentValidator({ dockerAvailable: () => false }),
      launchEnv: (spec) => ({ LICHEN_COMPONENT: spec.name }),
      busUsers,
      derivePassword: (text) => `pw(${text.replace('\n', '/')})`,
      publishTransition: (transition) => void transitions.push(transition),
      publishDeployment: (record) => void reports.push(record),
      publishDesired: (wanted) => void desired.push(wanted),
      publishConfig: async () => undefined,
      log: () => undefined,
    },
    {
      restart: quickTimings,
      supervisor: { settleMs: 10, startTimeoutMs: 1_000, pullTimeoutMs: 1_000, stopMarginMs: 100 },
      reconcileIntervalMs: options.reconcileIntervalMs ?? 60_000,
      historyLimit: 50,
    },
  );
  return { runtime, store, busUsers, transitions, reports, desired, ...manager };
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
