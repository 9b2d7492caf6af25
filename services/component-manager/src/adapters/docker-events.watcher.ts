import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComponentExit } from '../domain/runtime/component-runtime.js';
import { LABEL } from './docker-container.spec-mapper.js';
import { jsonLines } from './docker-json-lines.reader.js';

/** One object of `GET /events` (Engine API 1.41). */
interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** What the watcher needs from the engine; the adapter fills it in with dockerode. */
export interface EngineEventSource {
  /** The `die` and `oom` events of this device's containers, since `since` (seconds since 1970, may have a fraction). */
  open(since: number, signal: AbortSignal): Promise<AsyncIterable<Buffer | string>>;
  /** Exit code and OOM flag of a container that died; undefined when it is gone already. */
  inspectExit(id: string): Promise<{ exitCode: number; oomKilled: boolean } | undefined>;
}

export interface EventsWatcherOptions {
  log: (event: string, fields: Record<string, unknown>) => void;
  backoff?: { initialMs: number; maxMs: number };
}

const RECENT_EVENTS = 256;

/**
 * One event stream for all listeners, open from the first `subscribe` until `close`. When the engine goes away
 * the stream is opened again, 0.5 s doubling to 30 s, asking for the events since the last one seen, so exits
 * while it was away still arrive (the engine keeps recent events in memory; a restarted engine has none: the
 * reconcile loop's `list()` covers those). The loss and the return are logged once each.
 * `oom` comes before its `die`; an exit is reported on `die`, OOM-killed when either says so.
 */
export class DockerEventsWatcher {
  readonly #source: EngineEventSource;
  readonly #options: Required<EventsWatcherOptions>;
  readonly #listeners = new Set<(exit: ComponentExit) => void>();
  readonly #oomKilled = new Set<string>();
  /** Keys of recent events, so events replayed by `since` after a reconnect are not reported twice. */
  readonly #recent = new Set<string>();
  #since = 0;
  #closing: AbortController | undefined;
  #running: Promise<void> | undefined;
  #lost: string | undefined;

  constructor(source: EngineEventSource, options: EventsWatcherOptions) {
    this.#source = source;
    this.#options = { backoff: { initialMs: 500, maxMs: 30_000 }, ...options };
  }

  subscribe(listener: (exit: ComponentExit) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#running) {
      this.#closing = new AbortController();
      // From now: an exit between this call and the stream being open is replayed by the engine.
      this.#since = Date.now() / 1000;
      this.#running = this.#run(this.#closing.signal);
    }
    return () => void this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closing?.abort();
    await this.#running;
    this.#running = undefined;
    this.#listeners.clear();
  }

  async #run(closing: AbortSignal): Promise<void> {
    const { initialMs, maxMs } = this.#options.backoff;
    let delay = initialMs;
    while (!closing.aborted) {
      try {
        const stream = await this.#source.open(this.#since, closing);
        if (this.#lost !== undefined) this.#options.log('docker.events.restored', {});
        this.#lost = undefined;
        delay = initialMs;
        for await (const event of jsonLines(stream)) this.#handle(event as EngineEvent);
        throw new Error('the engine ended the event stream');
      } catch (error) {
        if (closing.aborted) return;
        if (this.#lost === undefined)
          this.#options.log('docker.events.lost', { error: (error as Error).message, retryMs: delay });
        this.#lost = (error as Error).message;
        await sleep(delay, undefined, { signal: closing, ref: false }).catch(() => undefined);
        delay = Math.min(delay * 2, maxMs);
      }
    }
  }

  #handle(event: EngineEvent): void {
    const id = event.Actor?.ID;
    if (event.Type !== 'container' || !id) return;
    // Whole seconds: a number of nanoseconds since 1970 does not survive JSON.parse exactly; the repeats are dropped.
    if (event.time) this.#since = event.time;
    const key = `${id}:${event.Action}:${event.timeNano}`;
    if (this.#recent.has(key)) return;
    this.#recent.add(key);
    if (this.#recent.size > RECENT_EVENTS) this.#recent.delete(this.#recent.values().next().value as string);

    if (event.Action === 'oom') this.#oomKilled.add(id);
    else if (event.Action === 'die') void this.#reportDie(id, event);
  }

  async #reportDie(id: string, event: EngineEvent): Promise<void> {
    const attributes = event.Actor?.Attributes ?? {};
    const name = attributes[LABEL.component];
    const sawOom = this.#oomKilled.delete(id);
    if (!name) return;
    const state = await this.#source.inspectExit(id).catch(() => undefined);
    const fromEvent = attributes.exitCode === undefined ? Number.NaN : Number(attributes.exitCode);
    const exitCode = state?.exitCode ?? (Number.isInteger(fromEvent) ? fromEvent : null);
    const signal = exitCode !== null && exitCode > 128 ? signalName(exitCode - 128) : undefined;
    const exit: ComponentExit = {
      name,
      id,
      exitCode,
      ...(signal ? { signal } : {}),
      oomKilled: sawOom || state?.oomKilled === true,
      at: event.timeNano ? new Date(Math.floor(event.timeNano / 1e6)) : new Date(),
    };
    for (const listener of this.#listeners) {
      try {
        listener(exit);
      } catch (error) {
        this.#options.log('docker.exit.listener-failed', { component: name, error: (error as Error).message });
      }
    }
  }
}

/** The engine's convention (and tini's): a process killed by signal n exits with 128 + n. */
function signalName(number: number): string | undefined {
  return Object.entries(constants.signals).find(([, value]) => value === number)?.[0];
}
