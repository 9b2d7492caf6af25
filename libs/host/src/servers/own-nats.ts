import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@lichen/logging';
import type { BusUser } from '../bus-users/bus-user.js';
import { openOwnBusUsers, USERS_CONF, type OwnBusUsers } from '../bus-users/own-bus-users.js';
import { startManagedServer, type ManagedServer } from './managed-server.js';
import { natsServerConfig } from './nats-config.js';
import { hasMqttFixes, natsServerVersion } from './nats-version.js';
import type { ListenAddress } from './nats-config.js';
import { pickPort } from './port-picker.js';

export interface OwnNats {
  url: string;
  monitorUrl: string;
  server: ManagedServer;
  /** Who may log in and do what; every client logs in as one of these users. */
  users: OwnBusUsers;
  /** Where MQTT client devices connect (`mqtt://host:port`), when the listener is on. */
  mqttUrl?: string;
}

/**
 * Runs the device's NATS from a config Lichen writes under `<dataDir>/nats/`: JetStream with its store there,
 * monitoring, a server name, and the users file, which every client must log in with. A standard port held by
 * another program gives way to a free one, said in one line.
 */
export async function startOwnNats(options: {
  dataDir: string;
  deviceId: string;
  command: string;
  /** NATS's MQTT listener for client devices, when they are enabled. */
  mqtt?: ListenAddress;
  /** Lichen processes elsewhere that log in with every subject (LICHEN_NATS_SERVICE_USERS_DIR). */
  serviceUsers?: readonly BusUser[];
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
  const mqtt = options.mqtt && (await mqttListener(options.mqtt, options.command, logger));
  const configFile = join(dir, 'nats.conf');
  const logFile = join(dir, 'nats-server.log');
  const monitorUrl = `http://${host}:${monitor.port}`;
  writeFileSync(
    configFile,
    natsServerConfig({
      serverName: `lichen-${options.deviceId}`,
      client: { host, port: client.port },
      monitor: { host, port: monitor.port },
      // nats-server keeps its streams in a `jetstream` folder inside the store dir.
      jetstream: { storeDir: dir },
      includes: [USERS_CONF],
      mqtt,
    }),
  );
  let server: ManagedServer | undefined;
  // The users file must be there before NATS starts: it refuses any client that is not in it.
  const users = await openOwnBusUsers({
    dataDir: options.dataDir,
    natsDir: dir,
    configFile,
    logFile,
    command: options.command,
    monitorUrl,
    pid: () => server?.pid,
    serviceUsers: options.serviceUsers,
    logger,
  });
  try {
    server = await startManagedServer({
      name: 'nats-server',
      command: options.command,
      args: ['-c', configFile],
      debianPackage: 'nats-server',
      externalVariable: 'LICHEN_NATS_URL',
      port: client.port,
      dir,
      logFile,
      logger,
    });
  } catch (error) {
    users.violations.stop();
    throw error;
  }
  const mqttUrl = mqtt && `mqtt://${mqtt.host}:${mqtt.port}`;
  return { url: `nats://${host}:${client.port}`, monitorUrl, server, users, ...(mqttUrl ? { mqttUrl } : {}) };
}

/**
 * The MQTT listener's address: the one asked for, or a free port when another program (a Mosquitto) holds it,
 * said in one line. Warns, in one line, when this nats-server predates the MQTT fixes.
 */
async function mqttListener(wanted: ListenAddress, command: string, logger: Logger): Promise<ListenAddress> {
  const version = await natsServerVersion(command);
  if (version && !hasMqttFixes(version)) {
    logger.warn(
      `nats-server ${version.join('.')} predates 2.11.15 / 2.12.6: MQTT devices' permissions are not enforced under $MQTT.> and one device's client ID can take over another's session (GHSA-jxxm-27vp-c3m5, CVE-2026-33215); install a fixed nats-server and point LICHEN_NATS_SERVER_BIN at it`,
    );
  }
  const picked = await pickPort(wanted.port, wanted.host);
  if (picked.displaced)
    logger.warn(`port ${wanted.port} is held by another program: MQTT devices connect to ${wanted.host}:${picked.port}`);
  return { host: wanted.host, port: picked.port };
}
