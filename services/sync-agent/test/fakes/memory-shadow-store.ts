import type { ShadowAddress } from '../../src/domain/shadow/shadow-address.js';
import type { ShadowStore, StoredShadow } from '../../src/domain/shadow/shadow-store.js';

/**
 * The shadow store in memory, for unit specs: what Redis keeps, as JSON (so a caller that changes a document it
 * got back cannot change the stored one), with each record's expiry. Every call takes a turn of the event loop,
 * as a real store does, so requests that are not kept apart interleave here too.
 */
export class MemoryShadowStore implements ShadowStore {
  readonly records = new Map<string, { text: string; expireAt?: number }>();
  writes = 0;

  async read(address: ShadowAddress): Promise<StoredShadow | undefined> {
    await turn();
    const entry = this.records.get(keyOf(address));
    return entry ? (JSON.parse(entry.text) as StoredShadow) : undefined;
  }

  async write(address: ShadowAddress, record: StoredShadow | undefined, options: { expireAt?: number } = {}): Promise<void> {
    await turn();
    this.writes += 1;
    if (record) this.records.set(keyOf(address), { text: JSON.stringify(record), expireAt: options.expireAt });
    else this.records.delete(keyOf(address));
  }

  async list(): Promise<{ address: ShadowAddress; record: StoredShadow }[]> {
    await turn();
    return [...this.records.entries()].map(([key, { text }]) => {
      const [thing = '', shadow = ''] = key.split('/');
      return { address: { thing, shadow }, record: JSON.parse(text) as StoredShadow };
    });
  }

  /** The record as stored, for assertions. */
  stored(thing: string, shadow: string): (StoredShadow & { expireAt?: number }) | undefined {
    const entry = this.records.get(keyOf({ thing, shadow }));
    return entry
      ? { ...(JSON.parse(entry.text) as StoredShadow), ...(entry.expireAt ? { expireAt: entry.expireAt } : {}) }
      : undefined;
  }
}

function keyOf({ thing, shadow }: ShadowAddress): string {
  return `${thing}/${shadow}`;
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
