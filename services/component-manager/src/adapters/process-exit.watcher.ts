import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { ComponentExit } from '../domain/runtime/component-runtime.js';
import { isAlive } from './process-group.js';
import type { ProcessRecord, ProcessRecordStore } from './process-record.store.js';

type Log = (event: string, fields: Record<string, unknown>) => void;

const keyOf = (record: ProcessRecord): string => `${record.pid}:${record.startTime}`;

/**
 * Reports each exit of a component instance once. A child this adapter spawned is watched through its `exit`
 * event; an instance adopted from a record (the manager restarted) has no parent to tell, so each `poll` checks
 * it is still alive. Only instances seen running are reported: one that had already exited when the manager
 * came back shows as exited in `list()`, and is not news.
 */
export class ProcessExitWatcher {
  readonly #listeners = new Set<(exit: ComponentExit) => void>();
  /** Spawned here: their exit event will come. */
  readonly #children = new Set<string>();
  /** Adopted and seen running. */
  readonly #adopted = new Map<string, ProcessRecord>();
  /** Exits already reported, with the code when known, kept while the record exists. */
  readonly #exited = new Map<string, number | null>();
  #closed = false;

  constructor(
    private readonly store: ProcessRecordStore,
    private readonly log: Log,
  ) {}

  onExit(listener: (exit: ComponentExit) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  watchChild(record: ProcessRecord, child: ChildProcess): void {
    const key = keyOf(record);
    this.#children.add(key);
    child.once('exit', (code, signal) => {
      this.#children.delete(key);
      // A signal that killed the wrapper itself (SIGKILL) is reported as a shell would report it.
      const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null);
      this.#report(record, exitCode, signal ?? undefined);
    });
  }

  /** Adopts the records whose process runs, and reports the exit of adopted ones that no longer do. */
  async poll(records: readonly ProcessRecord[]): Promise<void> {
    const keys = new Set(records.map(keyOf));
    for (const record of records) {
      const key = keyOf(record);
      if (this.#children.has(key) || this.#exited.has(key)) continue;
      if (isAlive(record)) {
        if (this.#adopted.has(key)) continue;
        this.#adopted.set(key, record);
        this.log('process.adopted', { component: record.name, pid: record.pid, deployment: record.deployment });
      } else if (this.#adopted.has(key)) {
        await this.gone(record);
      }
    }
    for (const key of [...this.#adopted.keys(), ...this.#exited.keys()]) {
      if (keys.has(key)) continue;
      this.#adopted.delete(key);
      this.#exited.delete(key);
    }
  }

  /** The instance is gone (stop saw its group end): report it now if it was adopted, before its record goes. */
  async gone(record: ProcessRecord): Promise<void> {
    const key = keyOf(record);
    if (!this.#adopted.has(key) || this.#exited.has(key)) return;
    this.#report(record, (await this.store.readExitCode(record)) ?? null);
  }

  /** The exit code this watcher saw for an instance, when it has seen one. */
  exitCodeOf(record: ProcessRecord): number | undefined {
    return this.#exited.get(keyOf(record)) ?? undefined;
  }

  close(): void {
    this.#closed = true;
    this.#listeners.clear();
  }

  #report(record: ProcessRecord, exitCode: number | null, signal?: string): void {
    const key = keyOf(record);
    if (this.#exited.has(key)) return;
    this.#exited.set(key, exitCode);
    this.#adopted.delete(key);
    if (this.#closed) return;
    this.log('process.exited', { component: record.name, pid: record.pid, exitCode, ...(signal && { signal }) });
    const exit: ComponentExit = {
      name: record.name,
      id: String(record.pid),
      exitCode,
      ...(signal && { signal }),
      oomKilled: false,
      at: new Date(),
    };
    for (const listener of this.#listeners) {
      try {
        listener(exit);
      } catch (error) {
        this.log('process.exit-listener-failed', { component: record.name, error: String(error) });
      }
    }
  }
}
