import { LichenError } from '@lichen/errors';
import type { JsonValue } from './json-value.js';
import { SerialQueues } from './serial-queues.js';
import { addressProblem, describeAddress, type ShadowAddress } from './shadow-address.js';
import type { ShadowChange, ShadowOrigin } from './shadow-change.js';
import type { ShadowDocument } from './shadow-document.js';
import { rejected, type ShadowResult } from './shadow-rejection.js';
import { readShadowRequest } from './shadow-request.js';
import type { ShadowStore, StoredShadow } from './shadow-store.js';
import { applyShadowUpdate } from './shadow-update.js';

/** How long a deleted shadow's version is remembered, so one made again continues from it (AWS IoT: 48 hours). */
export const DELETED_VERSION_KEPT_MS = 48 * 3_600_000;

export interface LocalShadowsPorts {
  readonly store: ShadowStore;
  /** Says what went wrong where no caller hears it (a change listener that threw). */
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
}

/**
 * The device's shadows, with AWS IoT Device Shadow's semantics (see `applyShadowUpdate`), kept in a store. Requests
 * to one shadow are applied one at a time, in the order they came: two updates made against the same version
 * cannot both pass. Every accepted change is told to the `onChange` listeners once it is stored, in order.
 * Refusals come back as results with AWS IoT's code and message; only a failing store throws.
 */
export class LocalShadows {
  readonly #queues = new SerialQueues();
  readonly #listeners = new Set<(change: ShadowChange) => void>();
  readonly #now: () => number;

  constructor(private readonly ports: LocalShadowsPorts) {
    this.#now = ports.now ?? Date.now;
  }

  /** The shadow, or 404 when there is none. `body` is the request's (`clientToken`), checked as AWS IoT does. */
  async get(thing: string, shadow: string, body?: unknown): Promise<ShadowResult<ShadowDocument>> {
    const address = { thing, shadow };
    const problem = addressProblem(address);
    if (problem) return rejected(400, problem);
    const request = readShadowRequest(body);
    if (!request.ok) return request;
    return this.#queues.run(keyOf(address), async () => {
      const document = (await this.ports.store.read(address))?.document;
      return document ? { ok: true, value: document } : missing(address);
    });
  }

  /** Applies an update (making the shadow when there is none): the whole shadow after it. */
  async update(
    thing: string,
    shadow: string,
    body: unknown,
    origin: ShadowOrigin = 'local',
  ): Promise<ShadowResult<ShadowDocument>> {
    const address = { thing, shadow };
    const problem = addressProblem(address);
    if (problem) return rejected(400, problem);
    return this.#queues.run(keyOf(address), async () => {
      const record = await this.ports.store.read(address);
      const now = this.#now();
      const timestamp = Math.floor(now / 1000);
      const applied = applyShadowUpdate(record?.document ?? this.#madeAgain(record, now), body, timestamp);
      if (!applied.ok) return applied;
      const { document, update } = applied.value;
      await this.#write(address, { document, sync: record?.sync }, now);
      this.#tell({
        ...address,
        previous: record?.document,
        current: document,
        update,
        clientToken: update.clientToken,
        origin,
        timestamp,
      });
      return { ok: true, value: document };
    });
  }

  /** Deletes the shadow (404 when there is none; 409 when `body.version` is not its version): its last version. */
  async delete(
    thing: string,
    shadow: string,
    body?: unknown,
    origin: ShadowOrigin = 'local',
  ): Promise<ShadowResult<{ version: number; timestamp: number }>> {
    const address = { thing, shadow };
    const problem = addressProblem(address);
    if (problem) return rejected(400, problem);
    const request = readShadowRequest(body);
    if (!request.ok) return request;
    return this.#queues.run(keyOf(address), async () => {
      const record = await this.ports.store.read(address);
      const previous = record?.document;
      if (!previous) return missing(address);
      const { version, clientToken } = request.value;
      if (version !== undefined && version !== previous.version) return rejected(409, 'Version conflict');
      const now = this.#now();
      const timestamp = Math.floor(now / 1000);
      await this.#write(address, { deleted: { version: previous.version, at: now }, sync: record.sync }, now);
      this.#tell({ ...address, previous, clientToken, origin, timestamp });
      return { ok: true, value: { version: previous.version, timestamp } };
    });
  }

  /** Every shadow on the device, by thing then name. */
  async list(): Promise<ShadowAddress[]> {
    return addressesOf((await this.ports.store.list()).filter(({ record }) => record.document !== undefined));
  }

  /** Every shadow with a sync state, whether or not it exists now (one deleted here may still be in the cloud). */
  async listSynced(): Promise<ShadowAddress[]> {
    return addressesOf((await this.ports.store.list()).filter(({ record }) => record.sync !== undefined));
  }

  /** Calls `listener` after each accepted update or delete; returns what stops it. */
  onChange(listener: (change: ShadowChange) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** The cloud sync's record of the shadow, kept beside it (and after a delete); undefined when there is none. */
  async readSyncState(thing: string, shadow: string): Promise<JsonValue | undefined> {
    const address = validAddress(thing, shadow);
    return this.#queues.run(keyOf(address), async () => (await this.ports.store.read(address))?.sync);
  }

  /** Replaces the cloud sync's record of the shadow; `undefined` removes it. */
  async writeSyncState(thing: string, shadow: string, state: JsonValue | undefined): Promise<void> {
    const address = validAddress(thing, shadow);
    return this.#queues.run(keyOf(address), async () => {
      const record = await this.ports.store.read(address);
      await this.#write(address, { ...record, sync: state }, this.#now());
    });
  }

  /** Resolves once every request asked for so far has been applied (before the store is closed). */
  settled(): Promise<void> {
    return this.#queues.settled();
  }

  /** What a shadow deleted lately starts from when it is made again: no state, the version it had. */
  #madeAgain(record: StoredShadow | undefined, now: number): ShadowDocument | undefined {
    const deleted = record?.deleted;
    if (!deleted || now - deleted.at >= DELETED_VERSION_KEPT_MS) return undefined;
    return { state: {}, metadata: {}, version: deleted.version, timestamp: Math.floor(deleted.at / 1000) };
  }

  /** Stores the record, or forgets it once nothing in it is worth keeping (a deleted version is kept 48 hours). */
  async #write(address: ShadowAddress, record: StoredShadow, now: number): Promise<void> {
    const { document, deleted, sync } = record;
    const kept: { -readonly [K in keyof StoredShadow]: StoredShadow[K] } = {};
    if (document) kept.document = document;
    else if (deleted && now - deleted.at < DELETED_VERSION_KEPT_MS) kept.deleted = deleted;
    if (sync !== undefined) kept.sync = sync;
    if (kept.document || kept.sync !== undefined) return this.ports.store.write(address, kept);
    if (kept.deleted) return this.ports.store.write(address, kept, { expireAt: kept.deleted.at + DELETED_VERSION_KEPT_MS });
    return this.ports.store.write(address, undefined);
  }

  #tell(change: ShadowChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.ports.log('shadow change listener failed', {
          thing: change.thing,
          shadow: change.shadow,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }
}

/** Names cannot hold `/`, so this key is one shadow's alone. */
function keyOf({ thing, shadow }: ShadowAddress): string {
  return `${thing}/${shadow}`;
}

function missing<T>(address: ShadowAddress): ShadowResult<T> {
  return rejected(404, `No shadow exists with name: '${describeAddress(address)}'`);
}

/** The sync's own calls name shadows it found valid: a bad name there is a bug, said loudly. */
function validAddress(thing: string, shadow: string): ShadowAddress {
  const address = { thing, shadow };
  const problem = addressProblem(address);
  if (problem) throw new LichenError('SHADOW_NAME_INVALID', 'invalid-argument', problem, { fields: { thing, shadow } });
  return address;
}

function addressesOf(entries: { address: ShadowAddress }[]): ShadowAddress[] {
  return entries
    .map(({ address }) => ({ thing: address.thing, shadow: address.shadow }))
    .sort((a, b) => a.thing.localeCompare(b.thing) || a.shadow.localeCompare(b.shadow));
}
