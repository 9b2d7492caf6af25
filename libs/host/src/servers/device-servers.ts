import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Secret } from '@lichen/config';
import type { Logger } from '@lichen/logging';
import type { BusAuthority } from '../bus-users/bus-authority.port.js';
import type { BusUser } from '../bus-users/bus-user.js';
import { openBusUsers } from '../bus-users/own-bus-users.js';
import { readServiceUsers } from '../bus-users/service-users.js';
import { UnmanagedBusAuthority } from '../bus-users/unmanaged-bus-authority.js';
import { ViolationWatch } from '../bus-users/violation-watch.js';
import type { HostConfig } from '../host-config.js';
import type { ManagedServer } from './managed-server.js';
import { startOwnNats } from './own-nats.js';
import { startOwnRedis } from './own-redis.js';

/** The NATS and Redis this device uses: the operator's when named, otherwise ones Lichen runs itself. */
export interface DeviceServers {
  natsUrl: string;
  natsMonitorUrl: string;
  redisUrl: string;
  /** The servers Lichen started, by name; empty when both are external. */
  own: ReadonlyMap<string, ManagedServer>;
  /** Who may use the bus: enforced on Lichen's own NATS and on one whose users file it writes, not otherwise. */
  busAuthority: BusAuthority;
  /** How the runtime logs in where Lichen manages the users; undefined on the operator's NATS (its variables say). */
  natsLogin?: { user: string; pass: Secret };
  /** Where MQTT client devices connect to Lichen's own NATS, when its MQTT listener is on. */
  mqttUrl?: string;
  /** The permission violations where Lichen manages the users and reads NATS's log. */
  violations?: ViolationWatch;
  stop(): Promise<void>;
}

export async function settleServers(config: HostConfig, dataDir: string, logger: Logger): Promise<DeviceServers> {
  const own = new Map<string, ManagedServer>();
  let bus: Pick<DeviceServers, 'busAuthority' | 'natsLogin' | 'violations' | 'mqttUrl'> = {
    busAuthority: new UnmanagedBusAuthority(logger),
  };
  const stop = async () => {
    bus.violations?.stop();
    await Promise.all([...own.values()].reverse().map((server) => server.stop()));
  };
  try {
    let natsUrl = config.natsUrl;
    let natsMonitorUrl = config.natsMonitorUrl;
    // Read before any server starts: a bad folder stops Lichen with nothing started.
    const serviceUsers = config.natsServiceUsersDir ? readServiceUsers(config.natsServiceUsersDir) : [];
    if (!natsUrl) {
      const nats = await startOwnNats({
        dataDir,
        deviceId: config.deviceId,
        command: config.natsServerBin,
        mqtt: config.mqttListen,
        serviceUsers,
        logger,
      });
      own.set(nats.server.name, nats.server);
      bus = {
        busAuthority: nats.users.authority,
        natsLogin: nats.users.runtimeLogin,
        violations: nats.users.violations,
        mqttUrl: nats.mqttUrl,
      };
      natsUrl = nats.url;
      natsMonitorUrl = nats.monitorUrl;
    } else if (config.natsUsersFile && natsMonitorUrl) {
      const nats = { usersFile: config.natsUsersFile, monitorUrl: natsMonitorUrl, serviceUsers };
      bus = await externalBusUsers(config, nats, dataDir, logger);
    }
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const redis = await startOwnRedis({ dataDir, command: config.redisServerBin, logger });
      own.set(redis.server.name, redis.server);
      redisUrl = redis.url;
    }
    return { natsUrl, natsMonitorUrl: natsMonitorUrl ?? defaultMonitorUrl(natsUrl), redisUrl, own, ...bus, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The users of an external NATS that includes the users file Lichen writes (LICHEN_NATS_USERS_FILE): the nats
 * container of the compose file or of the Helm chart's NATS pod, which reloads as soon as the file changes, so Lichen
 * signals nothing and waits for `/varz` to show the reload. Lichen keeps its users under `<dataDir>/nats/`, as for
 * the NATS it runs.
 */
async function externalBusUsers(
  config: HostConfig,
  nats: { usersFile: string; monitorUrl: string; serviceUsers: readonly BusUser[] },
  dataDir: string,
  logger: Logger,
): Promise<Pick<DeviceServers, 'busAuthority' | 'natsLogin' | 'violations'>> {
  const natsDir = join(dataDir, 'nats');
  mkdirSync(natsDir, { recursive: true });
  const logFile = config.natsLogFile;
  const violations = logFile === undefined ? undefined : new ViolationWatch(logFile);
  const users = await openBusUsers({
    dataDir,
    natsDir,
    usersFile: nats.usersFile,
    // The rest of that NATS's configuration is not here: the users file is checked on its own.
    configFile: nats.usersFile,
    command: config.natsServerBin,
    nats: { monitorUrl: nats.monitorUrl, logFile },
    violations,
    serviceUsers: nats.serviceUsers,
    logger,
  });
  return { busAuthority: users.authority, natsLogin: users.runtimeLogin, violations };
}

/** NATS's monitoring port on the same host, where nats-server puts it with `-m 8222`. */
function defaultMonitorUrl(natsUrl: string): string {
  return `http://${new URL(natsUrl).hostname}:8222`;
}
