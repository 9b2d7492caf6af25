import type { LoadedModel } from './model-runtime.js';

/** A version of a model in a slot: its session, and the runs it has under way. */
interface Held {
  readonly version: string;
  readonly model: LoadedModel;
  running: number;
  retired: boolean;
}

/**
 * The model a name serves, swappable while requests are in flight: a run holds the version it started on, a
 * swap makes new runs take the new version at once, and an old version is released after its last run ends (a
 * session released with a run queued would fail that run). Nothing here fails a request because of a swap.
 */
export class ModelSlot {
  #current: Held | undefined;
  readonly #releases = new Set<Promise<void>>();

  constructor(private readonly onReleaseError: (version: string, error: unknown) => void = () => undefined) {}

  /** The version new runs take, if one is loaded. */
  get version(): string | undefined {
    return this.#current?.version;
  }

  get model(): LoadedModel | undefined {
    return this.#current?.model;
  }

  /** Runs `work` on the current version, which stays loaded until `work` settles; undefined when none is loaded. */
  async use<T>(work: (model: LoadedModel, version: string) => Promise<T>): Promise<{ value: T; version: string } | undefined> {
    const held = this.#current;
    if (!held) return undefined;
    held.running++;
    try {
      return { value: await work(held.model, held.version), version: held.version };
    } finally {
      held.running--;
      if (held.retired && held.running === 0) this.#release(held);
    }
  }

  /** Makes `model` the version new runs take; the one it replaces goes once its runs have ended. */
  swap(version: string, model: LoadedModel): void {
    const old = this.#current;
    this.#current = { version, model, running: 0, retired: false };
    if (old) this.#retire(old);
  }

  /** No version serves any more; the last one goes once its runs have ended. */
  clear(): void {
    const old = this.#current;
    this.#current = undefined;
    if (old) this.#retire(old);
  }

  /** Resolves once every retired version is released. */
  async released(): Promise<void> {
    await Promise.all(this.#releases);
  }

  #retire(held: Held): void {
    held.retired = true;
    if (held.running === 0) this.#release(held);
  }

  #release(held: Held): void {
    const release = held.model
      .release()
      .catch((error: unknown) => this.onReleaseError(held.version, error))
      .finally(() => this.#releases.delete(release));
    this.#releases.add(release);
  }
}
