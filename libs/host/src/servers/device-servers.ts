import type { Secret } from '@lichen/config';
import type { Logger } from '@lichen/logging';
import type { BusAuthority } from '../bus-users/bus-authority.port.js';
import { UnmanagedBusAuthority } from '../bus-users/unmanaged-bus-authority.js';
import type { ViolationWatch } from '../bus-users/violation-watch.js';
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
  /** Who may use the bus: enforced on Lichen's own NATS, not on the operator's. */
  busAuthority: BusAuthority;
  /** How the runtime logs in to Lichen's own NATS; undefined on the operator's (its variables say). */
  natsLogin?: { user: string; pass: Secret };
  /** Where MQTT client devices connect to Lichen's own NATS, when its MQTT listener is on. */
  mqttUrl?: string;
  /** The permission violations on Lichen's own NATS, from its log. */
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
    if (!natsUrl) {
      const nats = await startOwnNats({
        dataDir,
        deviceId: config.deviceId,
        command: config.natsServerBin,
        mqtt: config.mqttListen,
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

/** NATS's monitoring port on the same host, where nats-server puts it with `-m 8222`. */
function defaultMonitorUrl(natsUrl: string): string {
  return `http://${new URL(natsUrl).hostname}:8222`;
}
