import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '@lichen/logging';

/**
 * A Redis client as Lichen's services keep one: by default commands wait while Redis is away (restarting, say)
 * instead of failing, and reconnects come every 0.2 s growing to 2 s (`options` may say otherwise); an outage is
 * logged once, with its end.
 */
export function connectRedis(url: string, connectionName: string, logger: Logger, options: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    connectionName,
    ...options,
  });
  let lastError: string | undefined;
  client.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ err: error.message }, 'redis unreachable');
  });
  client.on('ready', () => {
    if (lastError) logger.info('redis reachable again');
    lastError = undefined;
  });
  return client;
}
