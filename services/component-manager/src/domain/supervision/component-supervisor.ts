import type { ComponentBook } from '../component/component-book.js';
import type { ComponentSpec, RuntimeKind } from '../component/component-spec.js';
import type { ComponentStateName } from '../component/component-state.js';
import { withDeadline, formatDuration } from '../deadline.js';
import type { ComponentExit, ComponentInstance } from '../runtime/component-runtime.js';
import type { HealthProbe } from '../runtime/health-probe.js';
import type { RuntimeSet } from '../runtime/runtime-set.js';
import { componentFingerprint } from '../planning/component-fingerprint.js';
import { judgeError, judgeExit, type ExitVerdict } from './exit-verdict.js';
import { KeyedLock } from './keyed-lock.js';
import type { RestartBook } from './restart-book.js';
import { StartupWatch } from './startup-watch.js';

export interface SupervisorSettings {
  /** A component without a health check is healthy once it has kept running this long. */
  readonly settleMs: number;
  /** Creating and starting an instance. */
  readonly startTimeoutMs: number;
  /** Pulling an image (a process component's install has its own timeout in its spec). */
  readonly pullTimeoutMs: number;
  /** Allowed beyond a component's shutdown timeout for the runtime to report it gone. */
  readonly stopMarginMs: number;
}

/** What the device knew of a component before the manager restarted (kept in Redis). */
export interface SavedComponentState {
  readonly state: ComponentStateName;
  readonly reason: string;
  readonly restarts: number;
  readonly recentErrors: number;
}

export interface AdoptOptions {
  /** Check its health before calling it RUNNING (it belongs to a deployment that was in flight). */
  readonly verify?: boolean;
  readonly saved?: SavedComponentState;
}

export interface SupervisorPorts {
  readonly runtimes: RuntimeSet;
  readonly book: ComponentBook;
  readonly restarts: RestartBook;
  readonly probe: HealthProbe;
  /** The environment Lichen gives every component (NATS URL and login, its name, ...), granting its bus user. */
  readonly launchEnv: (spec: ComponentSpec) => Promise<Record<string, string>>;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * Keeps components alive: installs and starts them, watches them become healthy, restarts them with backoff
 * when they exit, and stops them. One operation per component at a time. Exits of instances it stopped itself,
 * or of instances it has already replaced, are ignored.
 */
export class ComponentSupervisor {
  private readonly lock = new KeyedLock();
  /**
   * What the supervisor keeps alive. `generation` changes at every start, exit and stop, and is never reused (a
   * component untracked and tracked again does not start from 1 again), so a watch or a timer of an earlier
   * instance can always tell it is out of date.
   */
  private readonly supervised = new Map<string, { spec: ComponentSpec; deployment: string; generation: number }>();
  private generations = 0;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Instances the supervisor stopped itself: their exits, however late they are reported, are not errors. */
  private readonly retired = new Set<string>();
  private readonly watch: StartupWatch;
  private closed = false;

  constructor(
    private readonly ports: SupervisorPorts,
    private readonly settings: SupervisorSettings,
  ) {
    this.watch = new StartupWatch(ports, settings.settleMs, (spec, cause) => this.onError(spec, cause));
    for (const runtime of ports.runtimes.all()) runtime.onExit((exit) => this.onExit(exit));
  }

  /** Installs and starts a component of a deployment (a new one, or a new version replacing a stopped one). */
  launch(spec: ComponentSpec, deployment: string, signal: AbortSignal): Promise<void> {
    return this.lock.run(spec.name, async () => {
      this.ports.restarts.forget(spec.name);
      this.track(spec, deployment);
      const { book } = this.ports;
      book.transition(spec, 'NEW', { deployment, reason: '', restarts: 0, recentErrors: 0 });
      const runtime = this.ports.runtimes.get(spec.runtime);
      const installMs = spec.runtime === 'docker' ? this.settings.pullTimeoutMs : spec.timeouts.installMs;
      const what = spec.runtime === 'docker' ? `pulling ${spec.image}` : `installing ${spec.name}`;
      await withDeadline(what, installMs, signal, (stepSignal) => runtime.install(spec, stepSignal));
      book.transition(spec, 'INSTALLED');
      await this.startInstance(spec, signal);
    });
  }

  /**
   * Takes over an instance found after the manager restarted, without restarting it. A running instance of the
   * current deployment is RUNNING at once; one of a deployment that was in flight (`verify`) is STARTING until
   * its health check passes. An exited one is judged like any exit, unless it was BROKEN before the restart.
   */
  adopt(spec: ComponentSpec, deployment: string, instance: ComponentInstance, options: AdoptOptions = {}): void {
    this.track(spec, deployment);
    const { saved } = options;
    const kept = { deployment, instanceId: instance.id, restarts: saved?.restarts ?? 0, recentErrors: saved?.recentErrors ?? 0 };
    if (instance.status === 'running') {
      if (!options.verify) {
        this.ports.book.transition(spec, 'RUNNING', { ...kept, reason: 'adopted' });
        return;
      }
      this.ports.book.transition(spec, 'STARTING', { ...kept, reason: 'adopted' });
      const generation = this.supervised.get(spec.name)?.generation;
      this.watch.begin(spec, instance.id, () => this.supervised.get(spec.name)?.generation === generation);
      return;
    }
    if (saved?.state === 'BROKEN') {
      this.ports.book.transition(spec, 'BROKEN', { ...kept, reason: saved.reason });
      return;
    }
    this.ports.book.transition(spec, 'STARTING', kept);
    this.onExit({
      name: spec.name,
      id: instance.id,
      exitCode: instance.exitCode ?? null,
      oomKilled: instance.oomKilled ?? false,
      at: new Date(),
    });
  }

  /** Puts a component that was BROKEN, and has no instance, back on the book as BROKEN: nothing is started. */
  restoreBroken(spec: ComponentSpec, deployment: string, saved: SavedComponentState): void {
    this.track(spec, deployment);
    this.ports.book.transition(spec, 'BROKEN', {
      deployment,
      reason: saved.reason,
      restarts: saved.restarts,
      recentErrors: saved.recentErrors,
      instanceId: '',
    });
  }

  /** Stops a component; with `remove`, it leaves the device and the book. */
  stop(name: string, runtimeKind: RuntimeKind, options: { remove: boolean; signal: AbortSignal }): Promise<void> {
    return this.lock.run(name, async () => {
      const current = this.supervised.get(name);
      this.untrack(name);
      if (current) this.ports.book.transition(current.spec, 'STOPPING');
      await this.stopInstance(name, runtimeKind, current?.spec.timeouts.shutdownMs ?? 15_000, options.signal);
      if (options.remove || !current) this.ports.book.remove(name);
      else this.ports.book.transition(current.spec, 'FINISHED', { reason: 'stopped' });
    });
  }

  /** Forgets a component that has no instance (it never got one): off the book, no restarts. */
  discard(name: string): void {
    this.untrack(name);
    this.ports.book.remove(name);
  }

  /** An operator's restart: a fresh start with a clean error count, even for a BROKEN component. */
  restart(name: string, signal: AbortSignal): Promise<void> {
    return this.lock.run(name, async () => {
      // Looked up once it is this restart's turn: a deployment may have removed or replaced it meanwhile.
      const current = this.supervised.get(name) ?? this.findInBook(name);
      if (!current) throw new Error(`no component named ${name}`);
      this.untrack(name);
      this.ports.book.transition(current.spec, 'STOPPING', { reason: 'restart requested' });
      await this.stopInstance(name, current.spec.runtime, current.spec.timeouts.shutdownMs, signal);
      this.ports.restarts.forget(name);
      this.track(current.spec, current.deployment);
      this.ports.book.transition(current.spec, 'INSTALLED', { restarts: 0, recentErrors: 0, reason: '' });
      await this.startInstance(current.spec, signal).catch((error: Error) => {
        this.onError(current.spec, `restart failed: ${error.message}`);
        throw error;
      });
    });
  }

  /** A new spec for a running component that needs no new instance (config, health, restart policy). */
  reconfigure(spec: ComponentSpec, deployment: string): void {
    const current = this.supervised.get(spec.name);
    if (current) this.supervised.set(spec.name, { ...current, spec, deployment });
    const record = this.ports.book.get(spec.name);
    if (record) this.ports.book.transition(spec, record.state, { deployment, reason: record.reason });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.watch.close();
  }

  private async startInstance(spec: ComponentSpec, signal: AbortSignal): Promise<void> {
    const generation = this.supervised.get(spec.name)?.generation;
    if (generation === undefined) return;
    const isCurrent = () => this.supervised.get(spec.name)?.generation === generation;
    const { book } = this.ports;
    // No instance yet: an exit of the new one, however early, is this start's.
    book.transition(spec, 'STARTING', { instanceId: '' });
    const runtime = this.ports.runtimes.get(spec.runtime);
    const deployment = this.supervised.get(spec.name)?.deployment ?? '';
    const context = { fingerprint: componentFingerprint(spec), deployment, env: await this.ports.launchEnv(spec) };
    // A process component's start runs its startup script, which has the whole startup timeout.
    const startMs =
      spec.runtime === 'process'
        ? Math.max(this.settings.startTimeoutMs, spec.health.startupTimeoutMs)
        : this.settings.startTimeoutMs;
    const instance = await withDeadline(`starting ${spec.name}`, startMs, signal, (stepSignal) =>
      runtime.start(spec, context, stepSignal),
    );
    // Its id is new to this supervisor even if the runtime reuses ids (a process id): never an instance it retired.
    this.retired.delete(instance.id);
    if (!isCurrent()) return;
    book.transition(spec, 'STARTING', { instanceId: instance.id });
    this.watch.begin(spec, instance.id, isCurrent);
  }

  private onExit(exit: ComponentExit): void {
    if (this.retired.delete(exit.id)) return;
    const entry = this.supervised.get(exit.name);
    const record = this.ports.book.get(exit.name);
    if (!entry || this.closed || (record?.instanceId && record.instanceId !== exit.id)) return;
    entry.generation = ++this.generations;
    const verdict = judgeExit(entry.spec, exit, this.ports.restarts, Date.now());
    this.ports.log('component exited', { component: exit.name, state: verdict.state, reason: verdict.reason });
    this.apply(entry.spec, verdict);
  }

  private onError(spec: ComponentSpec, cause: string): void {
    const entry = this.supervised.get(spec.name);
    if (!entry || this.closed) return;
    const generation = (entry.generation = ++this.generations);
    const verdict = judgeError(spec, cause, this.ports.restarts, Date.now());
    const stillCurrent = () => this.supervised.get(spec.name)?.generation === generation;
    const shutdownMs = spec.timeouts.shutdownMs;
    // The instance is up but never became healthy: it goes before a new one starts, unless a deployment or an
    // operator has taken the component over meanwhile.
    void this.lock
      .run(spec.name, async () => {
        if (!stillCurrent()) return;
        await this.stopInstance(
          spec.name,
          spec.runtime,
          shutdownMs,
          AbortSignal.timeout(shutdownMs + this.settings.stopMarginMs),
        );
      })
      .catch((error: Error) => this.ports.log('stop failed', { component: spec.name, reason: error.message }))
      .finally(() => {
        if (stillCurrent()) this.apply(spec, verdict);
      });
  }

  private apply(spec: ComponentSpec, verdict: ExitVerdict): void {
    const record = this.ports.book.get(spec.name);
    const restarts = (record?.restarts ?? 0) + (verdict.restartInMs === undefined ? 0 : 1);
    this.ports.book.transition(spec, verdict.state, { reason: verdict.reason, recentErrors: verdict.recentErrors, restarts });
    if (verdict.restartInMs === undefined) return;
    const entry = this.supervised.get(spec.name);
    if (!entry) return;
    const generation = entry.generation;
    this.ports.log('restart scheduled', {
      component: spec.name,
      inMs: verdict.restartInMs,
      after: formatDuration(verdict.restartInMs),
    });
    this.schedule(spec.name, verdict.restartInMs, () =>
      this.lock.run(spec.name, async () => {
        const now = this.supervised.get(spec.name);
        if (!now || now.generation !== generation) return;
        now.generation = ++this.generations;
        await this.startInstance(now.spec, AbortSignal.timeout(this.settings.startTimeoutMs * 2)).catch((error: Error) =>
          this.onError(now.spec, `restart failed: ${error.message}`),
        );
      }),
    );
  }

  /** Stops the component's instance, its exit marked as one the supervisor caused. */
  private async stopInstance(name: string, runtimeKind: RuntimeKind, shutdownMs: number, signal: AbortSignal): Promise<void> {
    const instanceId = this.ports.book.get(name)?.instanceId;
    if (instanceId) this.retired.add(instanceId);
    const runtime = this.ports.runtimes.get(runtimeKind);
    await withDeadline(`stopping ${name}`, shutdownMs + this.settings.stopMarginMs, signal, (stepSignal) =>
      runtime.stop(name, shutdownMs, stepSignal),
    );
  }

  private schedule(name: string, delayMs: number, work: () => Promise<void>): void {
    clearTimeout(this.timers.get(name));
    const timer = setTimeout(() => {
      this.timers.delete(name);
      void work();
    }, delayMs);
    timer.unref();
    this.timers.set(name, timer);
  }

  private track(spec: ComponentSpec, deployment: string): void {
    clearTimeout(this.timers.get(spec.name));
    this.supervised.set(spec.name, { spec, deployment, generation: ++this.generations });
  }

  private untrack(name: string): void {
    clearTimeout(this.timers.get(name));
    this.timers.delete(name);
    this.supervised.delete(name);
  }

  private findInBook(name: string): { spec: ComponentSpec; deployment: string } | undefined {
    const record = this.ports.book.get(name);
    return record ? { spec: record.spec, deployment: record.deployment } : undefined;
  }
}
