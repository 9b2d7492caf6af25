import type { Redis } from 'ioredis';
import { connectRedis } from '@lichen/host/redis';
import type { Logger } from '@lichen/logging';
import type { ComponentRecord } from '../domain/component/component-book.js';
import type { DeploymentRecord } from '../domain/deployment/deployment-record.js';
import type { DeploymentStore } from '../domain/deployment/deployment-store.js';
import type { SavedComponentState } from '../domain/supervision/component-supervisor.js';

/**
 * The device's deployments in Redis, under `lichen:<device>:`: every record (a hash by id), the history (a sorted
 * set by queue time, trimmed to `historyLimit`), the current, active and queued ids, and each component's last
 * known state. Commands wait for Redis while it restarts (the offline queue), so nothing accepted is dropped.
 */
export class RedisAdapter implements DeploymentStore {
  readonly #client: Redis;
  readonly #prefix: string;

  constructor(
    url: string,
    deviceId: string,
    private readonly historyLimit: number,
    logger: Logger,
  ) {
    this.#prefix = `lichen:${deviceId}:`;
    this.#client = connectRedis(url, 'lichen-component-manager', logger);
  }

  get ready(): boolean {
    return this.#client.status === 'ready';
  }

  async save(record: DeploymentRecord): Promise<void> {
    const transaction = this.#client
      .multi()
      .hset(this.#key('deployments'), record.id, JSON.stringify(record))
      .zadd(this.#key('history'), Date.parse(record.queuedAt), record.id);
    await transaction.exec();
  }

  /** A deployment ends here, so the history is trimmed here, not at every progress update. */
  async saveFinal(record: DeploymentRecord, options: { current?: string }): Promise<void> {
    const transaction = this.#client
      .multi()
      .hset(this.#key('deployments'), record.id, JSON.stringify(record))
      .zadd(this.#key('history'), Date.parse(record.queuedAt), record.id);
    if (options.current) transaction.set(this.#key('current'), options.current);
    await transaction.exec();
    await this.#trim();
  }

  async get(id: string): Promise<DeploymentRecord | undefined> {
    const text = await this.#client.hget(this.#key('deployments'), id);
    return text ? (JSON.parse(text) as DeploymentRecord) : undefined;
  }

  async list(limit: number): Promise<DeploymentRecord[]> {
    const ids = await this.#client.zrevrange(this.#key('history'), '0', String(Math.max(limit, 1) - 1));
    if (ids.length === 0) return [];
    const texts = await this.#client.hmget(this.#key('deployments'), ...ids);
    return texts.filter((text): text is string => text !== null).map((text) => JSON.parse(text) as DeploymentRecord);
  }

  async current(): Promise<string | undefined> {
    return (await this.#client.get(this.#key('current'))) ?? undefined;
  }

  async setCurrent(id: string): Promise<void> {
    await this.#client.set(this.#key('current'), id);
  }

  async active(): Promise<string | undefined> {
    return (await this.#client.get(this.#key('active'))) ?? undefined;
  }

  async setActive(id: string | undefined): Promise<void> {
    if (id) await this.#client.set(this.#key('active'), id);
    else await this.#client.del(this.#key('active'));
  }

  async queue(): Promise<string[]> {
    const text = await this.#client.get(this.#key('queue'));
    return text ? (JSON.parse(text) as string[]) : [];
  }

  async setQueue(ids: readonly string[]): Promise<void> {
    await this.#client.set(this.#key('queue'), JSON.stringify(ids));
  }

  /** The component's state as the book has it now: what `lichen components` showed last, kept for a restart. */
  async saveComponent(record: ComponentRecord, removed: boolean): Promise<void> {
    if (removed) {
      await this.#client.hdel(this.#key('components'), record.name);
      return;
    }
    const { spec, ...state } = record;
    await this.#client.hset(
      this.#key('components'),
      record.name,
      JSON.stringify({ ...state, version: spec.version, runtime: spec.runtime }),
    );
  }

  async components(): Promise<Record<string, SavedComponentState>> {
    const saved = await this.#client.hgetall(this.#key('components'));
    return Object.fromEntries(Object.entries(saved).map(([name, text]) => [name, JSON.parse(text) as SavedComponentState]));
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }

  async #trim(): Promise<void> {
    const excess = (await this.#client.zcard(this.#key('history'))) - this.historyLimit;
    if (excess <= 0) return;
    const protectedIds = new Set([await this.current(), await this.active(), ...(await this.queue())]);
    const oldest = await this.#client.zrange(this.#key('history'), '0', String(excess - 1));
    const removable = oldest.filter((id) => !protectedIds.has(id));
    if (removable.length === 0) return;
    await this.#client
      .multi()
      .zrem(this.#key('history'), ...removable)
      .hdel(this.#key('deployments'), ...removable)
      .exec();
  }

  #key(name: string): string {
    return `${this.#prefix}${name}`;
  }
}
