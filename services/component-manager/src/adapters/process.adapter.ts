import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { processEnvironment } from '@lichen/config';
import type { ComponentSpec, ProcessScripts } from '../domain/component/component-spec.js';
import type {
  ComponentExit,
  ComponentInstance,
  ComponentRuntime,
  LaunchContext,
  LogEntry,
} from '../domain/runtime/component-runtime.js';
import { ProcessExitWatcher } from './process-exit.watcher.js';
import { isAlive, signalGroup, waitForGroupGone } from './process-group.js';
import { InstallMarker } from './process-install.marker.js';
import { linesSince, openOutput, OutputFile, rotateIfLarger, sizeOf } from './process-output.log.js';
import { processPaths } from './process-paths.js';
import { ProcessRecordStore, type ProcessRecord } from './process-record.store.js';
import { launchRun } from './process-run.launcher.js';
import { ProcessRuntimeError } from './process-runtime.error.js';
import { runToCompletion } from './process-script.runner.js';

export interface ProcessAdapterOptions {
  /** One folder per component below it: records, output files, install marker, default working directory. */
  readonly root: string;
  readonly log?: (event: string, fields: Record<string, unknown>) => void;
  /** How often adopted instances are checked for an exit and output files for their size; 250 ms by default. */
  readonly pollIntervalMs?: number;
  /** An output file past this size is rotated, one older file kept; 1 MiB by default. */
  readonly maxLogBytes?: number;
  /** The manager's own environment, of which components inherit PATH, HOME and LANG; the process's by default. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

type LifecycleStep = 'install' | 'startup' | 'shutdown';

/** The only variables a component inherits from the manager; everything else it gets is said in its spec. */
const inherited = ['PATH', 'HOME', 'LANG'] as const;
/** Lines of a failed script's output quoted in its error. */
const quotedLines = 10;

const seconds = (ms: number): string => `${ms / 1000}s`;

/**
 * Runs components as native processes, as Greengrass runs generic components, for devices without Docker. Each
 * instance is a process group that outlives the manager; a record in its folder lets a restarted manager adopt
 * it. See process-run.launcher.ts for how an adopted instance's exit code is still known.
 */
export class ProcessAdapter implements ComponentRuntime {
  readonly kind = 'process' as const;
  readonly #root: string;
  readonly #log: (event: string, fields: Record<string, unknown>) => void;
  readonly #pollIntervalMs: number;
  readonly #maxLogBytes: number;
  readonly #baseEnv: Readonly<Record<string, string>>;
  readonly #store: ProcessRecordStore;
  readonly #watcher: ProcessExitWatcher;
  readonly #closed = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #polling = false;
  /** The last poll failure, logged once until a poll succeeds again. */
  #pollError: string | undefined;

  constructor(options: ProcessAdapterOptions) {
    this.#root = options.root;
    this.#log = options.log ?? (() => undefined);
    this.#pollIntervalMs = options.pollIntervalMs ?? 250;
    this.#maxLogBytes = options.maxLogBytes ?? 1024 * 1024;
    const environment = options.environment ?? processEnvironment();
    this.#baseEnv = Object.fromEntries(
      inherited.flatMap((name) => (environment[name] === undefined ? [] : [[name, environment[name]]])),
    );
    this.#store = new ProcessRecordStore(this.#root);
    this.#watcher = new ProcessExitWatcher(this.#store, this.#log);
    this.#timer = setInterval(() => void this.#poll(), this.#pollIntervalMs).unref();
    void this.#poll();
  }

  async available(): Promise<boolean> {
    return true;
  }

  async list(): Promise<ComponentInstance[]> {
    const records = await this.#store.readAll();
    // Whatever this shows as running has its later exit reported.
    await this.#watcher.poll(records);
    return Promise.all(records.map(async (record) => this.#instanceOf(record)));
  }

  async install(spec: ComponentSpec, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const scripts = this.#scriptsOf(spec);
    if (scripts.install === undefined) return;
    const paths = processPaths(this.#root, spec.name);
    await mkdir(paths.work, { recursive: true });
    const marker = new InstallMarker(paths.installed, spec.version, scripts.install);
    if (await marker.isSet()) return;
    const env = { ...this.#baseEnv, ...spec.env };
    await this.#runStep('install', scripts.install, spec.name, scripts.cwd ?? paths.work, env, spec.timeouts.installMs, signal);
    await marker.set();
  }

  async start(spec: ComponentSpec, context: LaunchContext, signal: AbortSignal): Promise<ComponentInstance> {
    signal.throwIfAborted();
    const scripts = this.#scriptsOf(spec);
    const paths = processPaths(this.#root, spec.name);
    await this.#replaceExited(spec.name);
    await mkdir(paths.work, { recursive: true });
    const cwd = scripts.cwd ?? paths.work;
    const env = { ...this.#baseEnv, ...spec.env, ...context.env };
    if (scripts.startup !== undefined) {
      await this.#runStep('startup', scripts.startup, spec.name, cwd, env, spec.health.startupTimeoutMs, signal);
    }
    signal.throwIfAborted();
    await this.#store.clearExit(spec.name);

    const [stdout, stderr] = await Promise.all([openOutput(paths.stdout), openOutput(paths.stderr)]);
    const closeOutput = async (): Promise<void> => void (await Promise.all([stdout.close(), stderr.close()]));
    let launched: Awaited<ReturnType<typeof launchRun>>;
    try {
      launched = await launchRun({
        name: spec.name,
        script: scripts.run,
        cwd,
        env,
        exitFile: paths.exit,
        stdout: stdout.fd,
        stderr: stderr.fd,
      });
    } catch (error) {
      await closeOutput();
      throw new ProcessRuntimeError('PROCESS_SPAWN_FAILED', `cannot run the run script: ${messageOf(error)}`, {
        fields: { component: spec.name, cwd },
        cause: error,
      });
    }
    const record: ProcessRecord = {
      ...launched.identity,
      name: spec.name,
      fingerprint: context.fingerprint,
      deployment: context.deployment,
      version: spec.version,
      startedAt: new Date().toISOString(),
      cwd,
      env,
      ...(scripts.shutdown !== undefined && { shutdown: scripts.shutdown }),
      shutdownTimeoutMs: spec.timeouts.shutdownMs,
    };
    // Before any I/O lets the event loop turn: a run script that exits at once must not be missed.
    this.#watcher.watchChild(record, launched.child);
    await closeOutput();
    try {
      await this.#store.write(record);
    } catch (error) {
      signalGroup(record, 'SIGKILL');
      throw error;
    }
    this.#log('process.started', {
      component: spec.name,
      pid: record.pid,
      deployment: record.deployment,
      version: record.version,
    });
    return this.#instanceOf(record);
  }

  async stop(name: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const record = await this.#store.read(name);
    if (!record) return;
    if (signalGroup(record, 'SIGTERM') && !(await waitForGroupGone(record, timeoutMs, signal))) {
      this.#log('process.killed', { component: name, pid: record.pid, afterMs: timeoutMs });
      signalGroup(record, 'SIGKILL');
      await waitForGroupGone(record, Number.POSITIVE_INFINITY, signal);
    }
    await this.#watcher.gone(record);
    if (record.shutdown !== undefined) {
      try {
        await this.#runStep('shutdown', record.shutdown, name, record.cwd, record.env, record.shutdownTimeoutMs, signal);
      } catch (error) {
        signal.throwIfAborted();
        // The component is gone either way; a failed shutdown script must not keep its record alive.
        this.#log('process.shutdown-failed', { component: name, error: messageOf(error) });
      }
    }
    await this.#store.remove(name);
  }

  async runCheck(spec: ComponentSpec, signal: AbortSignal): Promise<boolean> {
    const command = spec.health.check?.command;
    if (command === undefined || command.length === 0) {
      throw new ProcessRuntimeError('PROCESS_SPEC_INVALID', 'the health check has no command to run', {
        fields: { component: spec.name },
      });
    }
    const paths = processPaths(this.#root, spec.name);
    // The running instance's environment and folder when there is one: the check sees what the component sees.
    const record = await this.#store.read(spec.name);
    const env = record?.env ?? { ...this.#baseEnv, ...spec.env };
    const cwd = record?.cwd ?? spec.process?.cwd ?? paths.work;
    await mkdir(paths.work, { recursive: true });
    const argv = command.length === 1 ? ['sh', '-c', command[0] as string] : command;
    try {
      const outcome = await runToCompletion({ argv, cwd, env, output: 'ignore', signal });
      return outcome.exitCode === 0;
    } catch {
      signal.throwIfAborted();
      // A command that cannot start is a check that fails, as `docker exec` of a missing program does.
      return false;
    }
  }

  onExit(listener: (exit: ComponentExit) => void): () => void {
    return this.#watcher.onExit(listener);
  }

  /**
   * stdout and stderr are two files with no common clock, so `tail` counts lines per stream (stdout's first), and
   * those lines carry their file's modification time; followed lines carry the time they were read.
   */
  async *logs(name: string, options: { tail: number; follow: boolean; signal: AbortSignal }): AsyncIterable<LogEntry> {
    const paths = processPaths(this.#root, name);
    const files = [
      { stream: 'stdout', file: new OutputFile(paths.stdout) },
      { stream: 'stderr', file: new OutputFile(paths.stderr) },
    ] as const;
    for (const { stream, file } of files) {
      const { lines, time, partial } = await file.tail(options.tail);
      for (const line of lines) yield { stream, line, time };
      if (!options.follow && partial.length > 0) yield { stream, line: partial, time };
    }
    if (!options.follow) return;
    const stop = AbortSignal.any([options.signal, this.#closed.signal]);
    while (!stop.aborted) {
      for (const { stream, file } of files) {
        for (const line of await file.readNew()) yield { stream, line, time: new Date() };
      }
      await sleep(this.#pollIntervalMs, undefined, { signal: stop }).catch(() => undefined);
    }
  }

  /** Stops watching; the components keep running, on purpose: they outlive the manager. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#closed.abort();
    this.#watcher.close();
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#closed.signal.aborted) return;
    this.#polling = true;
    try {
      const records = await this.#store.readAll();
      await this.#watcher.poll(records);
      for (const record of records) {
        const paths = processPaths(this.#root, record.name);
        await rotateIfLarger(paths.stdout, this.#maxLogBytes);
        await rotateIfLarger(paths.stderr, this.#maxLogBytes);
      }
      this.#pollError = undefined;
    } catch (error) {
      if (messageOf(error) !== this.#pollError) this.#log('process.poll-failed', { root: this.#root, error: messageOf(error) });
      this.#pollError = messageOf(error);
    } finally {
      this.#polling = false;
    }
  }

  async #instanceOf(record: ProcessRecord): Promise<ComponentInstance> {
    const instance = {
      name: record.name,
      runtime: 'process' as const,
      id: String(record.pid),
      fingerprint: record.fingerprint,
      deployment: record.deployment,
      startedAt: new Date(record.startedAt),
    };
    if (isAlive(record)) return { ...instance, status: 'running' };
    const exitCode = (await this.#store.readExitCode(record)) ?? this.#watcher.exitCodeOf(record);
    return { ...instance, status: 'exited', ...(exitCode !== undefined && { exitCode }) };
  }

  /** Makes room for a new instance: a running one is a conflict, an exited one is forgotten with its leftovers. */
  async #replaceExited(name: string): Promise<void> {
    const existing = await this.#store.read(name);
    if (!existing) return;
    if (isAlive(existing)) {
      throw new ProcessRuntimeError('PROCESS_ALREADY_RUNNING', `component ${name} is already running (pid ${existing.pid})`, {
        fields: { component: name, pid: existing.pid },
      });
    }
    signalGroup(existing, 'SIGKILL');
    await this.#store.remove(name);
  }

  /** Runs install, startup or shutdown to its end, output appended to the component's files. */
  async #runStep(
    step: LifecycleStep,
    script: string,
    name: string,
    cwd: string,
    env: Readonly<Record<string, string>>,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    const paths = processPaths(this.#root, name);
    const [stdout, stderr] = await Promise.all([openOutput(paths.stdout), openOutput(paths.stderr)]);
    const from = { stdout: await sizeOf(paths.stdout), stderr: await sizeOf(paths.stderr) };
    const fields = { component: name, script: step };
    let outcome;
    try {
      outcome = await runToCompletion({
        argv: ['sh', '-c', script],
        cwd,
        env,
        output: [stdout.fd, stderr.fd],
        timeoutMs,
        signal,
      });
    } catch (error) {
      signal.throwIfAborted();
      throw new ProcessRuntimeError('PROCESS_SPAWN_FAILED', `cannot run the ${step} script: ${messageOf(error)}`, {
        fields: { ...fields, cwd },
        cause: error,
      });
    } finally {
      await Promise.all([stdout.close(), stderr.close()]);
    }
    if (outcome.timedOut) {
      throw new ProcessRuntimeError('PROCESS_SCRIPT_TIMED_OUT', `${step} script timed out after ${seconds(timeoutMs)}`, {
        fields,
      });
    }
    if (outcome.exitCode === 0) return;
    const output = [
      ...(await linesSince(paths.stdout, from.stdout, quotedLines)),
      ...(await linesSince(paths.stderr, from.stderr, quotedLines)),
    ].slice(-quotedLines);
    const how = outcome.exitCode === null ? `was killed by ${outcome.signal}` : `exited with ${outcome.exitCode}`;
    throw new ProcessRuntimeError(
      'PROCESS_SCRIPT_FAILED',
      `${step} script ${how}${output.length > 0 ? `: ${output.join(' | ')}` : ''}`,
      {
        fields: { ...fields, exitCode: outcome.exitCode },
      },
    );
  }

  #scriptsOf(spec: ComponentSpec): ProcessScripts {
    if (spec.runtime !== 'process' || spec.process === undefined) {
      throw new ProcessRuntimeError('PROCESS_SPEC_INVALID', `component ${spec.name} has no process scripts`, {
        fields: { component: spec.name },
      });
    }
    return spec.process;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
