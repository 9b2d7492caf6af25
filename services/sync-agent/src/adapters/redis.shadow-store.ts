import type { Redis } from 'ioredis';
import { connectRedis } from '@lichen/host/redis';
import { LichenError } from '@lichen/errors';
import type { Logger } from '@lichen/logging';
import type { ShadowAddress } from '../domain/shadow/shadow-address.js';
import type { ShadowStore, StoredShadow } from '../domain/shadow/shadow-store.js';

const PREFIX = 'lichen:shadow:';

/**
 * The device's shadows in Redis: one string key per shadow, `lichen:shadow:<thing>/<shadow>`, holding its record as
 * JSON (neither name can hold a `/`, so the key is unambiguous), replaced whole by one `SET`. Commands wait for
 * Redis while it restarts (the offline queue), so nothing accepted is dropped.
 */
export class RedisShadowStore implements ShadowStore {
  readonly #client: Redis;
  readonly #logger: Logger;

  constructor(url: string, logger: Logger) {
    this.#logger = logger;
    this.#client = connectRedis(url, 'lichen-sync-agent-shadows', logger);
  }

  get ready(): boolean {
    return this.#client.status === 'ready';
  }

  async read(address: ShadowAddress): Promise<StoredShadow | undefined> {
    const key = keyOf(address);
    const text = await this.#client.get(key);
    return text === null ? undefined : parse(key, text);
  }

  async write(address: ShadowAddress, record: StoredShadow | undefined, options: { expireAt?: number } = {}): Promise<void> {
    const key = keyOf(address);
    if (!record) await this.#client.del(key);
    else if (options.expireAt !== undefined) await this.#client.set(key, JSON.stringify(record), 'PXAT', options.expireAt);
    else await this.#client.set(key, JSON.stringify(record));
  }

  /** Every record; one that does not parse is left out and said, so one bad key cannot hide the others. */
  async list(): Promise<{ address: ShadowAddress; record: StoredShadow }[]> {
    const keys: string[] = [];
    for await (const batch of this.#client.scanStream({ match: `${PREFIX}*`, count: 200 })) keys.push(...(batch as string[]));
    if (keys.length === 0) return [];
    const texts = await this.#client.mget(...keys);
    const entries: { address: ShadowAddress; record: StoredShadow }[] = [];
    for (const [index, key] of keys.entries()) {
      const text = texts[index];
      const address = addressOf(key);
      if (text === null || text === undefined || !address) continue;
      try {
        entries.push({ address, record: parse(key, text) });
      } catch (error) {
        this.#logger.warn({ key, reason: (error as Error).message }, 'shadow record skipped');
      }
    }
    return entries;
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}

function keyOf({ thing, shadow }: ShadowAddress): string {
  return `${PREFIX}${thing}/${shadow}`;
}

function addressOf(key: string): ShadowAddress | undefined {
  const name = key.slice(PREFIX.length);
  const slash = name.indexOf('/');
  return slash > 0 ? { thing: name.slice(0, slash), shadow: name.slice(slash + 1) } : undefined;
}

function parse(key: string, text: string): StoredShadow {
  try {
    return JSON.parse(text) as StoredShadow;
  } catch (error) {
    throw new LichenError('SHADOW_RECORD_UNREADABLE', 'internal', `the shadow record at ${key} in Redis is not JSON`, {
      cause: error,
      fields: { key },
    });
  }
}
