import type { Redis } from 'ioredis';
import { connectRedis } from '@lichen/host/redis';
import type { Logger } from '@lichen/logging';
import { parseRedisInfo } from '../domain/servers/redis-info.parser.js';
import type { Probe, RedisServerStats, ServerProbe } from '../domain/servers/server-stats.js';

/**
 * Reads Redis `INFO` over one long-lived connection. Commands fail at once while Redis is down (no offline
 * queue), so a scrape never waits on a dead server; the client reconnects in the background.
 */
export class RedisAdapter implements ServerProbe<RedisServerStats> {
  readonly #client: Redis;

  constructor(url: string, timeoutMs: number, logger: Logger) {
    this.#client = connectRedis(url, 'lichen-health-exporter', logger, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 500, 5_000),
    });
  }

  async probe(): Promise<Probe<RedisServerStats>> {
    try {
      return { up: true, stats: parseRedisInfo(await this.#client.info()) };
    } catch (error) {
      return { up: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
