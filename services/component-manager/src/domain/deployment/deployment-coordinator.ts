import { LichenError } from '@lichen/errors';
import type { ComponentBook, StateTransition } from '../component/component-book.js';
import type { ComponentSpec } from '../component/component-spec.js';
import { formatDuration, StepAbortedError, StepTimeoutError } from '../deadline.js';
import { componentFingerprint } from '../planning/component-fingerprint.js';
import type { RuntimeSet } from '../runtime/runtime-set.js';
import type { ComponentSupervisor } from '../supervision/component-supervisor.js';
import type { AcceptedDocument, DocumentValidator } from './accepted-document.js';
import { newDeploymentId } from './deployment-ids.js';
import { DeploymentQueue } from './deployment-queue.js';
import type { ComponentAction, DeploymentRecord } from './deployment-record.js';
import { ComponentFailure, type DeploymentRunner } from './deployment-runner.js';
import type { DeploymentStore } from './deployment-store.js';

export interface CoordinatorPorts {
  readonly store: DeploymentStore;
  readonly runner: DeploymentRunner;
  readonly supervisor: ComponentSupervisor;
  readonly runtimes: RuntimeSet;
  readonly book: ComponentBook;
  readonly validate: DocumentValidator;
  /** Publishes a deployment's status (`lichen.evt.deploy.<id>`) at every change. */
  readonly report: (record: DeploymentRecord) => void;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

interface Running {
  readonly record: DeploymentRecord;
  readonly cancel: AbortController;
}

const nothing: AcceptedDocument = {
  name: '',
  revision: 0,
  target: '',
  failurePolicy: 'none',
  timeoutMs: 600_000,
  components: {},
  startOrder: [],
  json: {},
};

/**
 * Deployments on this device: validated, queued, run one at a time, rolled back when they do not come up, and
 * remembered in the store so a restarted manager adopts what runs and resumes what was in flight. When idle it
 * reconciles the device with the deployment it runs every `reconcileIntervalMs`.
 */
export class DeploymentCoordinator {
  private readonly queue = new DeploymentQueue<DeploymentRecord>();
  private current: { id: string; document: AcceptedDocument } | undefined;
  private applied: Record<string, ComponentSpec> = {};
  private running: Running | undefined;
  private busy: Promise<void> = Promise.resolve();
  private idle = true;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ports: CoordinatorPorts,
    private readonly settings: { reconcileIntervalMs: number; historyLimit: number },
  ) {}

  /** Restores the device's deployments, adopts its running components, resumes an interrupted deployment. */
  async start(): Promise<void> {
    const { store } = this.ports;
    const currentId = await store.current();
    const current = currentId ? await this.readBack(currentId) : undefined;
    if (current) this.current = current;
    const activeId = await store.active();
    const active = activeId ? await this.readBack(activeId) : undefined;
    await this.adopt([active, current].filter((entry) => entry !== undefined));
    for (const id of await store.queue()) {
      const record = await store.get(id);
      if (record && record.phase === 'QUEUED') this.queue.enqueue(record);
    }
    if (active) {
      const record = await store.get(active.id);
      if (record) this.enqueueFirst(record);
    }
    this.timer = setInterval(() => this.kick(true), this.settings.reconcileIntervalMs);
    this.timer.unref();
    this.kick(false);
  }

  /** Validates and queues a deployment; rejects with every problem when the document is not valid. */
  async apply(input: unknown): Promise<DeploymentRecord> {
    const verdict = this.ports.validate(input);
    if (!verdict.ok) {
      const count = verdict.violations.length;
      throw new LichenError(
        'DEPLOYMENT_INVALID',
        'invalid-argument',
        `the deployment has ${count} problem${count === 1 ? '' : 's'}; nothing on the device changed`,
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
    await this.save(record);
    for (const superseded of this.queue.enqueue(record)) {
      await this.finish(superseded, { phase: 'SUPERSEDED', reason: `superseded by ${record.id}` });
    }
    await this.ports.store.setQueue(this.queue.list().map((queued) => queued.id));
    this.kick(false);
    return record;
  }

  /** Stops the active deployment (no id, or its id) and puts the device back as it was; or drops a queued one. */
  async cancel(id: string): Promise<DeploymentRecord> {
    if (this.running && (!id || id === this.running.record.id)) {
      this.running.cancel.abort(new Error('cancelled by the operator'));
      return this.running.record;
    }
    const queued = id ? this.queue.remove(id) : undefined;
    if (queued) {
      await this.ports.store.setQueue(this.queue.list().map((item) => item.id));
      return this.finish(queued, { phase: 'CANCELED', reason: 'cancelled by the operator before it started' });
    }
    if (!id) throw new LichenError('NO_ACTIVE_DEPLOYMENT', 'not-found', 'no deployment is in progress');
    const record = await this.ports.store.get(id);
    if (!record) throw new LichenError('DEPLOYMENT_NOT_FOUND', 'not-found', `no deployment ${id}`);
    throw new LichenError('DEPLOYMENT_FINISHED', 'conflict', `deployment ${id} has already finished (${record.phase})`);
  }

  /** Queues the deployment that succeeded before the current one again. */
  async rollback(): Promise<DeploymentRecord> {
    const history = await this.ports.store.list(this.settings.historyLimit);
    const currentId = this.current?.id;
    const earlier = history.filter((record) => record.phase === 'SUCCEEDED' && record.id !== currentId);
    const target = earlier[0];
    if (!target) throw new LichenError('NOTHING_TO_ROLL_BACK', 'conflict', 'no earlier successful deployment to roll back to');
    return this.apply(target.document);
  }

  /** The given deployment, or the active one, or the latest. */
  async status(id: string): Promise<DeploymentRecord> {
    if (!id) {
      const latest = this.running?.record ?? (await this.ports.store.list(1))[0];
      if (!latest) throw new LichenError('NO_DEPLOYMENTS', 'not-found', 'nothing has been deployed to this device yet');
      return latest;
    }
    const record = this.running?.record.id === id ? this.running.record : await this.ports.store.get(id);
    if (!record) throw new LichenError('DEPLOYMENT_NOT_FOUND', 'not-found', `no deployment ${id}`);
    return record;
  }

  list(limit: number): Promise<DeploymentRecord[]> {
    return this.ports.store.list(Math.min(limit || 20, this.settings.historyLimit));
  }

  /** Keeps the active deployment's view of its components up to date. */
  noteTransition(transition: StateTransition): void {
    const running = this.running;
    const name = transition.record.name;
    const progress = running?.record.components[name];
    if (!running || !progress) return;
    const failed = ['ERRORED', 'BROKEN'].includes(transition.record.state);
    this.update(running, {
      components: {
        ...running.record.components,
        [name]: { ...progress, state: transition.record.state, reason: failed ? transition.record.reason : progress.reason },
      },
    });
  }

  /** Records what the plan does to each component of the active deployment. */
  notePlanned(actions: Record<string, ComponentAction>): void {
    const running = this.running;
    if (!running || running.record.phase !== 'IN_PROGRESS') return;
    const components = { ...running.record.components };
    for (const [name, action] of Object.entries(actions)) {
      if (action === 'remove' || components[name])
        components[name] = { ...components[name], action, reason: components[name]?.reason ?? '' };
    }
    this.update(running, { components });
  }

  /** Stops taking work; an interrupted deployment stays in the store and resumes at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.running?.cancel.abort(new StopError());
    await this.busy;
  }

  private kick(reconcileOnly: boolean): void {
    if (this.stopped || !this.idle) return;
    this.idle = false;
    this.busy = (async () => {
      try {
        for (let next = this.queue.take(); next && !this.stopped; next = this.queue.take()) {
          await this.ports.store.setQueue(this.queue.list().map((item) => item.id));
          await this.run(next);
        }
        if (reconcileOnly && !this.stopped) await this.reconcile();
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
      await this.finish(queued, { phase: 'FAILED', reason: verdict.violations.map((v) => `${v.path}: ${v.reason}`).join('; ') });
      return;
    }
    const document = verdict.document;
    const cancel = new AbortController();
    const started: DeploymentRecord = {
      ...queued,
      phase: 'IN_PROGRESS',
      startedAt: queued.startedAt ?? new Date().toISOString(),
    };
    this.running = { record: started, cancel };
    await this.ports.store.setActive(started.id);
    await this.save(started);
    const previous = this.current;
    const signal = AbortSignal.any([cancel.signal, AbortSignal.timeout(document.timeoutMs)]);
    try {
      await this.ports.runner.converge({ ...document, id: started.id }, this.applied, signal);
      this.applied = { ...document.components };
      this.current = { id: started.id, document };
      await this.ports.store.setCurrent(started.id);
      await this.finish(this.running?.record ?? started, { phase: 'SUCCEEDED', reason: '' });
    } catch (error) {
      if (error instanceof StepAbortedError && cancel.signal.reason instanceof StopError) return; // resumed at next start
      await this.fail(
        this.running ?? { record: started, cancel },
        started.id,
        document,
        previous,
        describeFailure(error, cancel.signal, document.timeoutMs),
        error,
      );
    } finally {
      this.running = undefined;
      if (!this.stopped) await this.ports.store.setActive(undefined);
    }
  }

  private async fail(
    running: Running,
    id: string,
    document: AcceptedDocument,
    previous: { id: string; document: AcceptedDocument } | undefined,
    reason: string,
    error: unknown,
  ): Promise<void> {
    const latest = () => this.running?.record ?? running.record;
    const cancelled = running.cancel.signal.aborted && !(running.cancel.signal.reason instanceof StopError);
    if (error instanceof ComponentFailure) this.markFailed(this.running ?? running, error);
    this.ports.log('deployment failed', { deployment: id, reason });
    if (document.failurePolicy === 'none' && !cancelled) {
      this.applied = { ...document.components };
      this.current = { id, document };
      await this.ports.store.setCurrent(id);
      await this.finish(latest(), { phase: 'FAILED', reason });
      return;
    }
    this.update(this.running ?? running, { phase: 'ROLLING_BACK', reason });
    const target = previous?.document ?? nothing;
    try {
      const rollbackSignal = AbortSignal.timeout(target.timeoutMs);
      await this.ports.runner.converge(
        { ...target, id: previous?.id ?? '' },
        { ...this.applied, ...document.components },
        rollbackSignal,
      );
      this.applied = { ...target.components };
      await this.finish(latest(), {
        phase: cancelled ? 'CANCELED' : 'FAILED_ROLLED_BACK',
        reason,
        rolledBackTo: previous?.id ?? '',
      });
    } catch (rollbackError) {
      await this.finish(latest(), {
        phase: 'FAILED',
        reason: `${reason}; the rollback failed too: ${(rollbackError as Error).message}`,
      });
    }
  }

  private markFailed(running: Running, failure: ComponentFailure): void {
    const progress = running.record.components[failure.component];
    if (!progress) return;
    this.update(running, {
      components: { ...running.record.components, [failure.component]: { ...progress, reason: failure.problem } },
    });
  }

  /** Brings the device back to the deployment it runs, without gating: a removed container, a drifted spec. */
  private async reconcile(): Promise<void> {
    const current = this.current;
    if (!current) return;
    try {
      await this.ports.runner.converge(
        { ...current.document, id: current.id },
        this.applied,
        AbortSignal.timeout(current.document.timeoutMs),
        {
          gate: false,
        },
      );
      this.applied = { ...current.document.components };
    } catch (error) {
      this.ports.log('reconcile failed', { deployment: current.id, reason: (error as Error).message });
    }
  }

  /** Takes over instances that match what the in-flight or current deployment wants, without restarting them. */
  private async adopt(deployments: { id: string; document: AcceptedDocument }[]): Promise<void> {
    const instances = await this.ports.runtimes.instances();
    for (const instance of instances) {
      const owner = deployments.find(({ document }) => {
        const spec = document.components[instance.name];
        return spec && spec.runtime === instance.runtime && componentFingerprint(spec) === instance.fingerprint;
      });
      const spec = owner?.document.components[instance.name];
      if (!owner || !spec) continue;
      this.ports.supervisor.adopt(spec, instance.deployment || owner.id, instance);
      this.applied[instance.name] = spec;
    }
  }

  private async readBack(id: string): Promise<{ id: string; document: AcceptedDocument } | undefined> {
    const record = await this.ports.store.get(id);
    const verdict = record ? this.ports.validate(record.document) : undefined;
    if (!verdict?.ok) {
      this.ports.log('stored deployment unreadable', { deployment: id });
      return undefined;
    }
    return { id, document: verdict.document };
  }

  private enqueueFirst(record: DeploymentRecord): void {
    const rest = [...this.queue.list()];
    rest.forEach((item) => this.queue.remove(item.id));
    this.queue.enqueue(record);
    rest.forEach((item) => this.queue.enqueue(item));
  }

  private update(running: Running, change: Partial<DeploymentRecord>): void {
    const record = { ...running.record, ...change };
    this.running = { ...running, record };
    this.ports.report(record);
    void this.ports.store.save(record).catch(() => undefined);
  }

  private async finish(record: DeploymentRecord, change: Partial<DeploymentRecord>): Promise<DeploymentRecord> {
    const finished = { ...record, ...change, finishedAt: new Date().toISOString() };
    if (this.running?.record.id === record.id) this.running = { ...this.running, record: finished };
    await this.save(finished);
    return finished;
  }

  private async save(record: DeploymentRecord): Promise<void> {
    await this.ports.store.save(record);
    this.ports.report(record);
  }
}

class StopError extends Error {
  constructor() {
    super('the component manager is stopping');
  }
}

function describeFailure(error: unknown, cancel: AbortSignal, timeoutMs: number): string {
  if (cancel.aborted) return (cancel.reason as Error).message;
  if (error instanceof StepAbortedError) return `the deployment timed out after ${formatDuration(timeoutMs)}`;
  if (error instanceof ComponentFailure || error instanceof StepTimeoutError) return error.message;
  return `unexpected error: ${(error as Error).message}`;
}
