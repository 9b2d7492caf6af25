import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@lichen/logging';
import { startManagedServer, type ManagedServer } from './managed-server.js';
import { pickPort } from './port-picker.js';

export interface OwnRedis {
  url: string;
  server: ManagedServer;
}

/**
 * Runs the device's Redis with its data under `<dataDir>/redis/`: the append-only file on, synced every second,
 * so device state survives a crash or a power cut (at most the last second is lost); no snapshots.
 */
export async function startOwnRedis(options: { dataDir: string; command: string; logger: Logger }): Promise<OwnRedis> {
  const dir = join(options.dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const host = '127.0.0.1';
  const { port, displaced } = await pickPort(6379, host);
  if (displaced) options.logger.warn(`port 6379 is held by another program: Lichen's Redis listens on ${host}:${port}`);
  const args = [
    '--bind',
    host,
    '--port',
    String(port),
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
  ];
  const server = await startManagedServer({
    name: 'redis-server',
    command: options.command,
    args,
    debianPackage: 'redis-server',
    externalVariable: 'LICHEN_REDIS_URL',
    port,
    dir,
    logFile: join(dir, 'redis-server.log'),
    logger: options.logger,
  });
  return { url: `redis://${host}:${port}`, server };
}
