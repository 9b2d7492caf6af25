import type { ComponentSpec } from '../component/component-spec.js';
import { withDeadline } from '../deadline.js';
import { componentFingerprint } from '../planning/component-fingerprint.js';
import type { ComponentInstance } from '../runtime/component-runtime.js';
import type { RuntimeSet } from '../runtime/runtime-set.js';
import type { ComponentSupervisor } from '../supervision/component-supervisor.js';
import type { AcceptedDocument, DocumentValidator } from './accepted-document.js';
import { finalPhases, type DeploymentRecord } from './deployment-record.js';
import type { DeploymentStore } from './deployment-store.js';

export interface StoredDeployment {
  readonly id: string;
  readonly document: AcceptedDocument;
}

/** What a starting manager finds: the deployment the device runs, the unfinished ones, what it adopted. */
export interface Recovered {
  readonly current?: StoredDeployment;
  /** Unfinished deployments, the one that was in flight first, then the queued ones in their order. */
  readonly unfinished: DeploymentRecord[];
  /** The spec each adopted component runs with. */
  readonly applied: Record<string, ComponentSpec>;
}

export interface RecoveryPorts {
  readonly store: DeploymentStore;
  readonly validate: DocumentValidator;
  readonly runtimes: RuntimeSet;
  readonly supervisor: ComponentSupervisor;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/** How long a starting manager waits for the runtimes to list what runs before it starts without adopting. */
const LIST_TIMEOUT_MS = 30_000;

/**
 * Picks up where a manager that stopped (or died) left off: reads the current and unfinished deployments back
 * from the store, and adopts every instance that matches what one of them wants, without restarting it. An
 * instance of the in-flight deployment is health-checked before it counts as RUNNING; a component that was
 * BROKEN stays BROKEN. Unfinished deployments are found from the history too, so none is lost between writes.
 */
export async function recoverDeployments(ports: RecoveryPorts, historyLimit: number): Promise<Recovered> {
  const { store } = ports;
  const currentId = await store.current();
  const current = currentId ? await readBack(ports, currentId) : undefined;
  const activeId = await store.active();
  const queuedIds = await store.queue();
  const history = await store.list(historyLimit);
  const unfinished = history
    .filter((record) => !finalPhases.has(record.phase))
    .sort((a, b) => rank(a, activeId, queuedIds) - rank(b, activeId, queuedIds) || a.queuedAt.localeCompare(b.queuedAt));
  const inFlight = unfinished[0] && unfinished[0].phase !== 'QUEUED' ? unfinished[0] : undefined;
  const active = inFlight ? await readBack(ports, inFlight.id) : undefined;

  const applied: Record<string, ComponentSpec> = {};
  const saved = await store.components();
  const instances = await withDeadline('listing components', LIST_TIMEOUT_MS, undefined, () => ports.runtimes.instances()).catch(
    (error: Error) => {
      ports.log('components not adopted', { reason: error.message });
      return [];
    },
  );
  const matches = (candidate: StoredDeployment | undefined, instance: ComponentInstance) => {
    const spec = candidate?.document.components[instance.name];
    return spec !== undefined && spec.runtime === instance.runtime && componentFingerprint(spec) === instance.fingerprint;
  };
  for (const instance of instances) {
    // The current deployment first: an instance both match (the fingerprint leaves config out) has the config the
    // current one gave it, and the resumed deployment will configure it again. Only an instance that just the
    // in-flight deployment explains is health-checked before it counts.
    const owner = matches(current, instance) ? current : matches(active, instance) ? active : undefined;
    const spec = owner?.document.components[instance.name];
    if (!owner || !spec) continue;
    ports.supervisor.adopt(spec, owner.id, instance, { verify: owner === active, saved: saved[instance.name] });
    applied[instance.name] = spec;
  }
  // A component that went BROKEN failing its health checks has no instance left; it stays BROKEN all the same.
  for (const [name, state] of Object.entries(saved)) {
    const spec = current?.document.components[name];
    if (current && spec && state.state === 'BROKEN' && !(name in applied)) {
      ports.supervisor.restoreBroken(spec, current.id, state);
      applied[name] = spec;
    }
  }
  return { current, unfinished, applied };
}

/** The in-flight deployment first, then the queue's order, then any the queue lost between two writes. */
function rank(record: DeploymentRecord, activeId: string | undefined, queued: readonly string[]): number {
  if (record.id === activeId || record.phase !== 'QUEUED') return -1;
  const index = queued.indexOf(record.id);
  return index === -1 ? queued.length : index;
}

async function readBack(ports: RecoveryPorts, id: string): Promise<StoredDeployment | undefined> {
  const record = await ports.store.get(id);
  const verdict = record ? ports.validate(record.document) : undefined;
  if (!verdict?.ok) {
    ports.log('stored deployment unreadable', { deployment: id });
    return undefined;
  }
  return { id, document: verdict.document };
}
