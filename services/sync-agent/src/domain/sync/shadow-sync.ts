import type { CloudLink } from '../link/cloud-link.js';
import { isObject, sameJson, type JsonObject, type JsonValue } from '../shadow/json-value.js';
import type { LocalShadows } from '../shadow/local-shadows.js';
import type { ShadowAddress } from '../shadow/shadow-address.js';
import { mergeSection } from '../shadow/shadow-merge.js';
import type { CloudShadowReply } from './cloud-shadows.js';
import { statePatch } from './shadow-patch.js';

type Sections = { desired?: JsonObject; reported?: JsonObject };

/** What the sync keeps per shadow: the state both sides had at the last sync, and the cloud's version then. */
interface SyncRecord {
  base: Sections;
  cloudVersion: number;
}

/** The cloud's side of a shadow, as the sync asks it. */
export interface CloudShadowsPort {
  request(address: ShadowAddress, operation: 'get' | 'update' | 'delete', body?: JsonObject): Promise<CloudShadowReply>;
}

export interface ShadowSyncOptions {
  readonly shadows: LocalShadows;
  readonly cloud: CloudShadowsPort;
  readonly link: CloudLink;
  readonly thing: string;
  /** Named shadows to sync even when the device has none yet (the cloud may have them). */
  readonly names: readonly string[];
  readonly retryDelayMs?: number;
  readonly log: (level: 'info' | 'warn', event: string, fields: Record<string, unknown>) => void;
}

/** What the sync has done, for `/metrics`. */
export interface SyncCounts {
  synced: number;
  conflicts: number;
  failed: number;
}

const MAX_ATTEMPTS = 5;
/** Shadows synced at once: AWS IoT refuses (429) more than 10 shadow requests in flight per connection. */
const AT_ONCE = 4;

/**
 * Keeps the thing's shadows the same on the device and in the cloud: a three-way merge of each section against
 * the state both had at the last sync, `reported` preferring the device and `desired` the cloud; a delete on one
 * side after a sync deletes on the other, unless the other side changed the shadow since (then the change wins). A shadow is synced when it changes on the device, when the cloud says it
 * changed, and all of them on every connection, so changes made offline on either side converge when the link
 * returns. A version conflict in the cloud (someone wrote in between) starts that shadow's sync over.
 */
export class ShadowSync {
  readonly counts: SyncCounts = { synced: 0, conflicts: 0, failed: 0 };
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #retries = new Map<string, NodeJS.Timeout>();
  readonly #queue: (() => void)[] = [];
  #active = 0;
  #stopped = false;
  #stops: (() => void)[] = [];

  constructor(private readonly options: ShadowSyncOptions) {}

  start(): void {
    const { shadows, link, thing } = this.options;
    this.#stops = [
      shadows.onChange((change) => {
        if (change.origin === 'local' && change.thing === thing) this.schedule(change);
      }),
      link.onStatus((status) => {
        if (status.state === 'connected') void this.syncAll();
      }),
    ];
    if (link.status.state === 'connected') void this.syncAll();
  }

  /** Stops listening and waits for the syncs under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stops.forEach((stop) => stop());
    this.#retries.forEach((timer) => clearTimeout(timer));
    this.#retries.clear();
    await Promise.all(this.#running.values());
  }

  /** Every shadow of the thing: on the device, synced before (deleted here since), or named in the settings. */
  async syncAll(): Promise<void> {
    const { shadows, thing, names } = this.options;
    const addresses = new Map<string, ShadowAddress>();
    const add = (address: ShadowAddress) => address.thing === thing && addresses.set(address.shadow, address);
    try {
      (await shadows.list()).forEach(add);
      (await shadows.listSynced()).forEach(add);
    } catch (error) {
      this.options.log('warn', 'cannot list the shadows to sync', { reason: (error as Error).message });
    }
    names.forEach((shadow) => add({ thing, shadow }));
    await Promise.all([...addresses.values()].map((address) => this.schedule(address)));
  }

  /** Syncs one shadow now, or once more after the sync under way (changes in between are not missed). */
  schedule(address: ShadowAddress): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const key = `${address.thing}/${address.shadow}`;
    const running = this.#running.get(key);
    if (running) {
      this.#again.add(key);
      return running;
    }
    const run = (async () => {
      do {
        this.#again.delete(key);
        await this.#syncWithRetries({ thing: address.thing, shadow: address.shadow });
      } while (this.#again.has(key));
    })().finally(() => this.#running.delete(key));
    this.#running.set(key, run);
    return run;
  }

  async #syncWithRetries(address: ShadowAddress): Promise<void> {
    if (this.#active >= AT_ONCE) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#active++;
    try {
      await this.#attempts(address);
    } finally {
      this.#active--;
      this.#queue.shift()?.();
    }
  }

  async #attempts(address: ShadowAddress): Promise<void> {
    if (this.options.link.status.state !== 'connected') return;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        if (await this.#syncOnce(address)) {
          this.counts.synced++;
          return;
        }
        this.counts.conflicts++;
      } catch (error) {
        if (this.#stopped) return;
        this.counts.failed++;
        if (error instanceof SyncRefusedError) {
          // Refused for what the shadow holds (too large, too deep): asking again changes nothing until it changes.
          this.options.log('warn', 'shadow not synced: refused, until it changes again', { ...address, reason: error.message });
          return;
        }
        this.options.log('warn', 'shadow not synced, trying again later', { ...address, reason: (error as Error).message });
        this.#retryLater(address);
        return;
      }
    }
    this.options.log('warn', 'shadow changes too often to sync, trying again later', { ...address });
    this.#retryLater(address);
  }

  #retryLater(address: ShadowAddress): void {
    const key = `${address.thing}/${address.shadow}`;
    if (this.#stopped || this.#retries.has(key) || this.options.link.status.state !== 'connected') return;
    const timer = setTimeout(() => {
      this.#retries.delete(key);
      void this.schedule(address);
    }, this.options.retryDelayMs ?? 5_000);
    this.#retries.set(key, timer);
  }

  /** One sync; false when a side changed in between (a version conflict), to be tried again. */
  async #syncOnce(address: ShadowAddress): Promise<boolean> {
    const { shadows, cloud } = this.options;
    const { thing, shadow } = address;
    const record = asRecord(await shadows.readSyncState(thing, shadow));
    const localRead = await shadows.get(thing, shadow);
    if (!localRead.ok && localRead.rejection.code !== 404) throw new Error(localRead.rejection.message);
    const local = localRead.ok ? localRead.value : undefined;
    const cloudRead = await cloud.request(address, 'get');
    if (!cloudRead.accepted && cloudRead.code !== 404)
      throw new Error(`the cloud refused get: ${cloudRead.code} ${cloudRead.message}`);
    const remote = cloudRead.accepted ? cloudRead.body : undefined;

    if (!local && !remote) {
      if (record) await shadows.writeSyncState(thing, shadow, undefined);
      return true;
    }
    // Deleted on one side since the last sync: deleted on the other too, unless that side changed it since; then
    // the change wins and the shadow is made again from it.
    let base = record?.base;
    if (!local && remote && record) {
      if (Number(remote.version) === record.cloudVersion) return this.#deleteInCloud(address, Number(remote.version));
      base = undefined;
    }
    if (local && !remote && record) {
      if (sameSections(local.state, record.base)) return this.#deleteOnDevice(address, local.version);
      base = undefined;
    }

    const localState: Sections = local?.state ?? {};
    const cloudState = sectionsOf(remote?.state);
    const merged: Sections = {};
    const desired = mergeSection(base?.desired, localState.desired, cloudState.desired, 'cloud');
    const reported = mergeSection(base?.reported, localState.reported, cloudState.reported, 'local');
    if (desired) merged.desired = desired;
    if (reported) merged.reported = reported;

    const toDevice = statePatch(localState, merged);
    if (toDevice) {
      const applied = await shadows.update(thing, shadow, { state: toDevice, ...(local && { version: local.version }) }, 'cloud');
      if (!applied.ok) {
        if (applied.rejection.code === 409) return false;
        throw refusal(`the device refused the cloud's state`, applied.rejection.code, applied.rejection.message);
      }
    }
    let cloudVersion = Number(remote?.version ?? 0);
    const toCloud = statePatch(cloudState, merged);
    if (toCloud) {
      const sent = await cloud.request(address, 'update', {
        state: toCloud,
        ...(remote && { version: cloudVersion }),
      } as JsonObject);
      if (!sent.accepted) {
        if (sent.code === 409) return false;
        throw refusal(`the cloud refused the device's state`, sent.code, sent.message);
      }
      cloudVersion = Number(sent.body.version ?? cloudVersion + 1);
    }
    await shadows.writeSyncState(thing, shadow, { base: merged, cloudVersion } as unknown as JsonValue);
    if (toDevice || toCloud)
      this.options.log('info', 'shadow synced', { thing, shadow, toDevice: !!toDevice, toCloud: !!toCloud });
    return true;
  }

  /** Deleted on the device since the last sync: delete it in the cloud too. */
  async #deleteInCloud(address: ShadowAddress, version: number): Promise<boolean> {
    const deleted = await this.options.cloud.request(address, 'delete', { version });
    if (!deleted.accepted && deleted.code === 409) return false;
    if (!deleted.accepted && deleted.code !== 404)
      throw new Error(`the cloud refused delete: ${deleted.code} ${deleted.message}`);
    await this.options.shadows.writeSyncState(address.thing, address.shadow, undefined);
    this.options.log('info', 'shadow deleted in the cloud, as on the device', { ...address });
    return true;
  }

  /** Deleted in the cloud since the last sync: delete it on the device too. */
  async #deleteOnDevice(address: ShadowAddress, version: number): Promise<boolean> {
    const deleted = await this.options.shadows.delete(address.thing, address.shadow, { version }, 'cloud');
    if (!deleted.ok && deleted.rejection.code === 409) return false;
    await this.options.shadows.writeSyncState(address.thing, address.shadow, undefined);
    this.options.log('info', 'shadow deleted on the device, as in the cloud', { ...address });
    return true;
  }
}

/** The shadow's own refusal of a state (400, 413): it stands until the state changes. */
class SyncRefusedError extends Error {}

function refusal(what: string, code: number, message: string): Error {
  const text = `${what}: ${code} ${message}`;
  return code >= 400 && code < 500 ? new SyncRefusedError(text) : new Error(text);
}

function sameSections(a: Sections, b: Sections): boolean {
  return sameJson(a.desired, b.desired) && sameJson(a.reported, b.reported);
}

function sectionsOf(state: JsonValue | undefined): Sections {
  if (!isObject(state)) return {};
  const sections: Sections = {};
  if (isObject(state.desired)) sections.desired = state.desired;
  if (isObject(state.reported)) sections.reported = state.reported;
  return sections;
}

function asRecord(value: JsonValue | undefined): SyncRecord | undefined {
  if (!isObject(value) || !isObject(value.base)) return undefined;
  return { base: sectionsOf(value.base), cloudVersion: Number(value.cloudVersion) || 0 };
}
