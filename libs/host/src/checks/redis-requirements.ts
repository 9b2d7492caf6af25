import { redactServer } from '@lichen/bus';
import type { Logger } from '@lichen/logging';

/**
 * Checks an external Redis once at start. Without the append-only file, device state written since the last
 * snapshot is lost in a crash or power cut: a warning, since Lichen still works. Unreachable is a warning too:
 * the services that use Redis retry on their own.
 */
export async function checkExternalRedis(url: string, logger: Logger): Promise<void> {
  // Loaded here, not at start-up, so a process whose services never touch Redis does not pay for the client.
  // Through `default` (module.exports): in the bundle, a dynamic import of a CommonJS package has nothing else.
  const { Redis } = (await import('ioredis')).default;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const persistence = await client.info('persistence');
    if (/^aof_enabled:0\s*$/m.test(persistence)) {
      logger.warn(
        { redisUrl: redactServer(url) },
        'the Redis at LICHEN_REDIS_URL keeps no append-only file: device state may be lost in a crash or power cut (run it with --appendonly yes)',
      );
    }
  } catch (error) {
    logger.warn(
      { redisUrl: redactServer(url), reason: (error as Error).message },
      'the Redis at LICHEN_REDIS_URL is not reachable yet',
    );
  } finally {
    client.disconnect();
  }
}
