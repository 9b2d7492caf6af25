import { setMaxListeners } from 'node:events';
import { LichenError } from '@lichen/errors';
import type { BusAccess } from '../access/bus-access.js';
import type { ComponentBook, StateTransition } from '../component/component-book.js';
import type { ComponentSpec } from '../component/component-spec.js';
import { formatDuration, StepAbortedError, StepTimeoutError } from '../deadline.js';
import type { RuntimeSet } from '../runtime/runtime-set.js';
import type { ComponentSupervisor } from '../supervision/component-supervisor.js';
import type { JsonObject } from '../component/component-spec.js';
import type { AcceptedDocument, DocumentValidator } from './accepted-document.js';
import { ActiveDeployment } from './active-deployment.js';
import { newDeploymentId } from './deployment-ids.js';
import { DeploymentQueue } from './deployment-queue.js';
import type { ComponentAction, DeploymentRecord } from './deployment-record.js';
import { recoverDeployments, type StoredDeployment } from './deployment-recovery.js';
import { ComponentFailure, type DeploymentRunner } from './deployment-runner.js';
import type { DeploymentStore } from './deployment-store.js';

export interface CoordinatorPorts {
  readonly store: DeploymentStore;
  readonly runner: DeploymentRunner;
  readonly supervisor: ComponentSupervisor;
  readonly runtimes: RuntimeSet;
  readonly book: ComponentBook;
  readonly access: BusAccess;
  readonly validate: DocumentValidator;
  /** Publishes a deployment's status (`lichen.evt.deploy.<id>`) at every change. */
  readonly report: (record: DeploymentRecord) => void;
  /** Tells the router and the inference service which deployment's routes and models to run now. */
  readonly publishDesired: (desired: DesiredDeployment) => void;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * The deployment the device converges to: the one being applied, else the current one; during and after a
 * rollback, the one it goes back to. Its routes and models run while its components come up. No id: none.
 */
export interface DesiredDeployment {
  readonly id: string;
  readonly json?: JsonObject;
}

/** What a rollback converges to when there was nothing before: no components. */
const nothing: AcceptedDocument = {
  name: '',
  revision: 0,
  target: '',
  failurePolicy: 'none',
  timeoutMs: 600_000,
  components: {},
  startOrder: [],
  devices: {},
  json: {},
};

/**
 * Deployments on this device: validated, queued, run one at a time, rolled back when they do not come up, and
 * remembered in the store so a restarted manager adopts what runs and resumes what was in flight. When idle it
 * reconciles the device with the deployment it runs every `reconcileIntervalMs`.
 */
export class DeploymentCoordinator {
  private readonly queue = new DeploymentQueue<DeploymentRecord>();
  private readonly stopping = new AbortController();
  private current: StoredDeployment | undefined;
  private applied: Record<string, ComponentSpec> = {};
  private active: ActiveDeployment | undefined;
  private busy: Promise<void> = Promise.resolve();
  /** False until `start()` has recovered: a deployment applied meanwhile waits in the queue. */
  private idle = false;
  private timer: NodeJS.Timeout | undefined;
  private reconcileProblem: string | undefined;
  private wanted: DesiredDeployment = { id: '' };

  constructor(
    private readonly ports: CoordinatorPorts,
    private readonly settings: { reconcileIntervalMs: number; historyLimit: number },
  ) {}

  /** Restores the device's deployments, adopts its running components, resumes an interrupted deployment. */
  async start(): Promise<void> {
    const recovered = await recoverDeployments(this.ports, this.settings.historyLimit);
    this.current = recovered.current;
    this.applied = recovered.applied;
    // What runs keeps its users (the bus kept them across the restart); users of what is gone are removed.
    await this.ports.access
      .keepOnly(Object.values(recovered.applied))
      .catch((error: Error) => this.ports.log('bus users not restored', { reason: error.message }));
    await this.want(recovered.current).catch((error: Error) =>
      this.ports.log('client devices not restored', { reason: error.message }),
    );
    for (const record of [...recovered.unfinished].reverse()) this.queue.putFirst(record);
    this.idle = true;
    this.timer = setInterval(() => this.kick(true), this.settings.reconcileIntervalMs);
    this.timer.unref();
    this.kick(false);
  }

  /** Validates and queues a deployment; rejects with every problem when the document is not valid. */
  async apply(input: unknown): Promise<DeploymentRecord> {
    const verdict = this.ports.validate(input);
    if (!verdict.ok) {
      const count = verdict.violations.length;
      const problems = `${count} problem${count === 1 ? '' : 's'}`;
      throw new LichenError(
        'DEPLOYMENT_INVALID',
        'invalid-argument',
        `the deployment has ${problems}; nothing on the device changed`,
        {
          violations: verdict.violations,
        },
      );
    }
    const { document } = verdict;
    const record: DeploymentRecord = {
      id: newDeploymentId(document.name, document.revision),
      name: document.name,
      revision: document.revision,
      target: document.target,
      phase: 'QUEUED',
      reason: '',
      components: Object.fromEntries(Object.keys(document.components).map((name) => [name, { action: 'pending', reason: '' }])),
      queuedAt: new Date().toISOString(),
      document: document.json,
    };
    // Saved before it is queued: a record in the history that is not final is found again after a crash.
    await this.save(record);
    for (const superseded of this.queue.enqueue(record)) {
      await this.save(finished(superseded, { phase: 'SUPERSEDED', reason: `superseded by ${record.id}` }));
    }
    await this.saveQueue();
    this.kick(false);
    return record;
  }

  /** Stops the active deployment (no id, or its id) and puts the device back as it was; or drops a queued one. */
  async cancel(id: string): Promise<DeploymentRecord> {
    if (this.active && (!id || id === this.active.id)) {
      // A rollback already under way is what a cancel would do: it goes on, and keeps its cause.
      if (this.active.record.phase !== 'ROLLING_BACK') this.active.cancel.abort(new Error('cancelled by the operator'));
      return this.active.record;
    }
    const queued = id ? this.queue.remove(id) : undefined;
    if (queued) {
      // The final record first: a crash between the two writes must not bring the deployment back from the history.
      const cancelled = finished(queued, { phase: 'CANCELED', reason: 'cancelled by the operator before it started' });
      await this.save(cancelled);
      await this.saveQueue();
      return cancelled;
    }
    if (!id) throw new LichenError('NO_ACTIVE_DEPLOYMENT', 'not-found', 'no deployment is in progress');
    const record = await this.ports.store.get(id);
    if (!record) throw new LichenError('DEPLOYMENT_NOT_FOUND', 'not-found', `no deployment ${id}`);
    throw new LichenError('DEPLOYMENT_FINISHED', 'conflict', `deployment ${id} has already finished (${record.phase})`);
  }

  /** Queues the deployment that succeeded before the current one again. */
  async rollback(): Promise<DeploymentRecord> {
    const history = await this.ports.store.list(this.settings.historyLimit);
    const earlier = history.find((record) => record.phase === 'SUCCEEDED' && record.id !== this.current?.id);
    if (!earlier) throw new LichenError('NOTHING_TO_ROLL_BACK', 'conflict', 'no earlier successful deployment to roll back to');
    return this.apply(earlier.document);
  }

  /** The deployment whose routes and models should run now. */
  desired(): DesiredDeployment {
    return this.wanted;
  }

  /** The given deployment, or the active one, or the latest. */
  async status(id: string): Promise<DeploymentRecord> {
    if (this.active && (!id || id === this.active.id)) return this.active.record;
    const record = id ? await this.ports.store.get(id) : (await this.ports.store.list(1))[0];
    if (record) return record;
    if (!id) throw new LichenError('NO_DEPLOYMENTS', 'not-found', 'nothing has been deployed to this device yet');
    throw new LichenError('DEPLOYMENT_NOT_FOUND', 'not-found', `no deployment ${id}`);
  }

  list(limit: number): Promise<DeploymentRecord[]> {
    return this.ports.store.list(Math.min(limit || 20, this.settings.historyLimit));
  }

  noteTransition(transition: StateTransition): void {
    this.active?.transitioned(transition);
  }

  notePlanned(actions: Record<string, ComponentAction>): void {
    this.active?.planned(actions);
  }

  /** Stops taking work; an interrupted deployment stays in the store and resumes at the next start. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort(new Error('the component manager is stopping'));
    await this.busy;
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Runs the queue dry, then (on the timer) reconciles; one pass at a time. */
  private kick(reconcile: boolean): void {
    if (this.stopped || !this.idle) return;
    this.idle = false;
    this.busy = (async () => {
      try {
        do {
          for (let next = this.queue.take(); next && !this.stopped; next = this.queue.take()) await this.run(next);
          if (reconcile && !this.stopped) await this.reconcile();
          reconcile = false;
        } while (this.queue.list().length > 0 && !this.stopped);
      } catch (error) {
        this.ports.log('deployment loop failed', { reason: (error as Error).message });
      } finally {
        this.idle = true;
      }
    })();
  }

  private async run(queued: DeploymentRecord): Promise<void> {
    const verdict = this.ports.validate(queued.document);
    if (!verdict.ok) {
      const reason = verdict.violations.map((violation) => `${violation.path}: ${violation.reason}`).join('; ');
      await this.save(finished(queued, { phase: 'FAILED', reason }));
      return;
    }
    const { document } = verdict;
    const startedAt = queued.startedAt ?? new Date().toISOString();
    const active = new ActiveDeployment({ ...queued, startedAt }, this.current, this.ports.report, this.ports.store);
    this.active = active;
    try {
      await this.ports.store.setActive(active.id);
      await this.saveQueue();
      // A deployment resumed after a crash keeps its deadline: it does not get a new one at every start.
      const remainingMs = Math.max(0, document.timeoutMs - (Date.now() - Date.parse(startedAt)));
      if (queued.phase === 'ROLLING_BACK') {
        await this.rollBack(active, document, queued.reason);
        return;
      }
      await active.update({ phase: 'IN_PROGRESS' });
      await this.want({ id: active.id, document });
      const signal = this.deadline(remainingMs, active.cancel.signal);
      await this.ports.runner.converge({ ...document, id: active.id }, this.applied, signal, 'deploy');
      this.applied = { ...document.components };
      this.current = { id: active.id, document };
      await active.finish({ phase: 'SUCCEEDED', reason: '' }, { current: active.id });
    } catch (error) {
      if (this.stopped) return; // left in flight: resumed at the next start
      await this.fail(active, document, describeFailure(error, active, document.timeoutMs), error);
    } finally {
      this.active = undefined;
      if (!this.stopped) await this.ports.store.setActive(undefined);
    }
  }

  private async fail(active: ActiveDeployment, document: AcceptedDocument, reason: string, error: unknown): Promise<void> {
    if (error instanceof ComponentFailure) active.blame(error.component, error.problem);
    if (error instanceof StepAbortedError && error.component) active.blame(error.component, reason);
    this.ports.log('deployment failed', { deployment: active.id, reason });
    if (document.failurePolicy === 'none' && !active.cancelled) {
      this.applied = { ...document.components };
      this.current = { id: active.id, document };
      await active.finish({ phase: 'FAILED', reason }, { current: active.id });
      return;
    }
    await this.rollBack(active, document, reason);
  }

  /** Puts the device back to the deployment it ran before `active` (or to nothing, if there was none). */
  private async rollBack(active: ActiveDeployment, document: AcceptedDocument, reason: string): Promise<void> {
    await active.update({ phase: 'ROLLING_BACK', reason });
    const previous = active.previous;
    const target = previous?.document ?? nothing;
    try {
      await this.want(previous);
      const signal = this.deadline(target.timeoutMs);
      await this.ports.runner.converge(
        { ...target, id: previous?.id ?? '' },
        { ...this.applied, ...document.components },
        signal,
        'deploy',
      );
      this.applied = { ...target.components };
      const phase = active.cancelled ? 'CANCELED' : 'FAILED_ROLLED_BACK';
      await active.finish({ phase, reason, rolledBackTo: previous?.id ?? '' });
    } catch (rollbackError) {
      // Some components may run the failed deployment's specs: the next reconcile must compare against those.
      this.applied = { ...this.applied, ...document.components };
      if (this.stopped) return; // resumed as a rollback at the next start
      await active.finish({ phase: 'FAILED', reason: `${reason}; the rollback failed too: ${(rollbackError as Error).message}` });
    }
  }

  /** Brings the device back to the deployment it runs, without gating: a removed container, a drifted spec. */
  private async reconcile(): Promise<void> {
    const current = this.current;
    if (!current) return;
    try {
      const signal = this.deadline(current.document.timeoutMs);
      await this.ports.runner.converge({ ...current.document, id: current.id }, this.applied, signal, 'reconcile');
      this.applied = { ...current.document.components };
      this.reconcileProblem = undefined;
    } catch (error) {
      // Said once per problem, not every interval while, say, the engine is down.
      const reason = (error as Error).message;
      if (reason !== this.reconcileProblem && !this.stopped)
        this.ports.log('reconcile failed', { deployment: current.id, reason });
      this.reconcileProblem = reason;
    }
  }

  /** Makes `deployment` the desired one: its client devices may log in, its routes and models run. */
  private async want(deployment: StoredDeployment | undefined): Promise<void> {
    this.wanted = deployment ? { id: deployment.id, json: deployment.document.json } : { id: '' };
    this.ports.publishDesired(this.wanted);
    await this.ports.access.setDevices(Object.values(deployment?.document.devices ?? {}));
  }

  /**
   * The signal a converge runs under: its deadline, the manager stopping, and `more` (a cancel). Every step of
   * every component listens to it, many more than Node's default of 10 listeners before it warns.
   */
  private deadline(timeoutMs: number, ...more: AbortSignal[]): AbortSignal {
    const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(timeoutMs), ...more]);
    setMaxListeners(0, signal);
    return signal;
  }

  private saveQueue(): Promise<void> {
    return this.ports.store.setQueue(this.queue.list().map((item) => item.id));
  }

  private async save(record: DeploymentRecord): Promise<void> {
    await this.ports.store.save(record);
    this.ports.report(record);
  }
}

function finished(record: DeploymentRecord, change: Partial<DeploymentRecord>): DeploymentRecord {
  return { ...record, ...change, finishedAt: new Date().toISOString() };
}

function describeFailure(error: unknown, active: ActiveDeployment, timeoutMs: number): string {
  if (active.cancelled) return (active.cancel.signal.reason as Error).message;
  if (error instanceof StepAbortedError) {
    return `the deployment timed out after ${formatDuration(timeoutMs)}${error.step ? ` while ${error.step}` : ''}`;
  }
  if (error instanceof ComponentFailure || error instanceof StepTimeoutError) return error.message;
  return `unexpected error: ${(error as Error).message}`;
}
