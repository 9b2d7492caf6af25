import { BusAccess, type BusUsersPort } from './access/bus-access.js';
import { ComponentBook, type StateTransition } from './component/component-book.js';
import type { ComponentSpec } from './component/component-spec.js';
import type { DocumentValidator } from './deployment/accepted-document.js';
import { DeploymentCoordinator, type DesiredDeployment } from './deployment/deployment-coordinator.js';
import type { DeploymentRecord } from './deployment/deployment-record.js';
import { DeploymentRunner } from './deployment/deployment-runner.js';
import type { DeploymentStore } from './deployment/deployment-store.js';
import type { HealthProbe } from './runtime/health-probe.js';
import type { RuntimeSet } from './runtime/runtime-set.js';
import { ComponentSupervisor, type SupervisorSettings } from './supervision/component-supervisor.js';
import { RestartBook, type RestartTimings } from './supervision/restart-book.js';

/** Everything outside the domain the component manager works with. */
export interface ComponentManagerPorts {
  readonly runtimes: RuntimeSet;
  readonly store: DeploymentStore;
  readonly probe: HealthProbe;
  readonly validate: DocumentValidator;
  /** The environment Lichen gives every component (NATS URL, its name, ...); its bus login is added to it. */
  readonly launchEnv: (spec: ComponentSpec) => Record<string, string>;
  /** The bus's user list, where each component gets a user with its permissions. */
  readonly busUsers: BusUsersPort;
  /** A keyed hash of a text with the device's secret: component passwords are derived with it. */
  readonly derivePassword: (text: string) => string;
  /** Publishes each component state transition (`lichen.evt.component.<name>.state`). */
  readonly publishTransition: (transition: StateTransition) => void;
  /** Publishes a deployment's status at every change (`lichen.evt.deploy.<id>`). */
  readonly publishDeployment: (record: DeploymentRecord) => void;
  /** Publishes the deployment whose routes and models run now (`lichen.evt.desired`). */
  readonly publishDesired: (desired: DesiredDeployment) => void;
  /** Tells a running component its new config (`lichen.components.<name>.config.changed`). */
  readonly publishConfig: (spec: ComponentSpec, deployment: string) => Promise<void>;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

export interface ComponentManagerSettings {
  readonly restart: RestartTimings;
  readonly supervisor: SupervisorSettings;
  readonly reconcileIntervalMs: number;
  readonly historyLimit: number;
}

export interface ComponentManager {
  readonly book: ComponentBook;
  readonly supervisor: ComponentSupervisor;
  readonly coordinator: DeploymentCoordinator;
  readonly access: BusAccess;
}

/**
 * The component manager's parts, wired: the book of components, the supervisor that keeps them alive, and the
 * coordinator that runs deployments through a runner. Every state transition is published, saved to the store
 * (so a restarted manager knows what was BROKEN) and shown in the active deployment's progress.
 */
export function assembleComponentManager(ports: ComponentManagerPorts, settings: ComponentManagerSettings): ComponentManager {
  const { runtimes, store, log } = ports;
  // The book tells the coordinator, and the runner tells it its plan; it is built last, so they reach it late.
  const late: { coordinator?: DeploymentCoordinator } = {};
  const book = new ComponentBook((transition) => {
    ports.publishTransition(transition);
    late.coordinator?.noteTransition(transition);
    void store
      .saveComponent(transition.record, transition.removed)
      .catch((error: Error) => log('component state not saved', { component: transition.record.name, reason: error.message }));
  });
  const access = new BusAccess(ports.busUsers, ports.derivePassword);
  const launchEnv = async (spec: ComponentSpec) => ({ ...ports.launchEnv(spec), ...(await access.grant(spec)) });
  const supervisor = new ComponentSupervisor(
    { runtimes, book, restarts: new RestartBook(settings.restart), probe: ports.probe, launchEnv, log },
    settings.supervisor,
  );
  const runner = new DeploymentRunner({
    supervisor,
    runtimes,
    book,
    access,
    publishConfig: ports.publishConfig,
    onPlanned: (actions) => late.coordinator?.notePlanned(actions),
  });
  const coordinator = new DeploymentCoordinator(
    {
      store,
      runner,
      supervisor,
      runtimes,
      book,
      access,
      validate: ports.validate,
      report: ports.publishDeployment,
      publishDesired: ports.publishDesired,
      log,
    },
    { reconcileIntervalMs: settings.reconcileIntervalMs, historyLimit: settings.historyLimit },
  );
  late.coordinator = coordinator;
  return { book, supervisor, coordinator, access };
}
