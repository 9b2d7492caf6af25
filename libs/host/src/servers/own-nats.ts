import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@lichen/logging';
import { startManagedServer, type ManagedServer } from './managed-server.js';
import { natsServerConfig } from './nats-config.js';
import { pickPort } from './port-picker.js';

export interface OwnNats {
  url: string;
  monitorUrl: string;
  server: ManagedServer;
}

/**
 * Runs the device's NATS from a config Lichen writes under `<dataDir>/nats/`: JetStream with its store there,
 * monitoring, and a server name. A standard port held by another program gives way to a free one, said in one line.
 */
export async function startOwnNats(options: {
  dataDir: string;
  deviceId: string;
  command: string;
  logger: Logger;
}): Promise<OwnNats> {
  const { logger } = options;
  const dir = join(options.dataDir, 'nats');
  mkdirSync(dir, { recursive: true });
  const host = '127.0.0.1';
  const client = await pickPort(4222, host);
  const monitor = await pickPort(8222, host);
  if (client.displaced) logger.warn(`port 4222 is held by another program: Lichen's NATS listens on ${host}:${client.port}`);
  if (monitor.displaced)
    logger.warn(`port 8222 is held by another program: Lichen's NATS monitoring is on ${host}:${monitor.port}`);
  const configFile = join(dir, 'nats.conf');
  writeFileSync(
    configFile,
    natsServerConfig({
      serverName: `lichen-${options.deviceId}`,
      client: { host, port: client.port },
      monitor: { host, port: monitor.port },
      // nats-server keeps its streams in a `jetstream` folder inside the store dir.
      jetstream: { storeDir: dir },
    }),
  );
  const server = await startManagedServer({
    name: 'nats-server',
    command: options.command,
    args: ['-c', configFile],
    debianPackage: 'nats-server',
    externalVariable: 'LICHEN_NATS_URL',
    port: client.port,
    dir,
    logFile: join(dir, 'nats-server.log'),
    logger,
  });
  return { url: `nats://${host}:${client.port}`, monitorUrl: `http://${host}:${monitor.port}`, server };
}
