import type { Logger } from '@lichen/logging';
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
  stop(): Promise<void>;
}

export async function settleServers(config: HostConfig, dataDir: string, logger: Logger): Promise<DeviceServers> {
  const own = new Map<string, ManagedServer>();
  const stop = async () => {
    await Promise.all([...own.values()].reverse().map((server) => server.stop()));
  };
  try {
    let natsUrl = config.natsUrl;
    let natsMonitorUrl = config.natsMonitorUrl;
    if (!natsUrl) {
      const nats = await startOwnNats({ dataDir, deviceId: config.deviceId, command: config.natsServerBin, logger });
      own.set(nats.server.name, nats.server);
      natsUrl = nats.url;
      natsMonitorUrl = nats.monitorUrl;
    }
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const redis = await startOwnRedis({ dataDir, command: config.redisServerBin, logger });
      own.set(redis.server.name, redis.server);
      redisUrl = redis.url;
    }
    return { natsUrl, natsMonitorUrl: natsMonitorUrl ?? defaultMonitorUrl(natsUrl), redisUrl, own, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** NATS's monitoring port on the same host, where nats-server puts it with `-m 8222`. */
function defaultMonitorUrl(natsUrl: string): string {
  return `http://${new URL(natsUrl).hostname}:8222`;
}
