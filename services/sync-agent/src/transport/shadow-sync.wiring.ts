import type { Logger } from '@lichen/logging';
import type { CloudLink } from '../domain/link/cloud-link.js';
import type { LocalShadows } from '../domain/shadow/local-shadows.js';
import type { ShadowAddress } from '../domain/shadow/shadow-address.js';
import { CloudShadows } from '../domain/sync/cloud-shadows.js';
import { ShadowSync } from '../domain/sync/shadow-sync.js';

/** The thing's shadows synced with the cloud over the link: started at once, stopped by what it returns. */
export function startShadowSync(
  shadows: LocalShadows,
  link: CloudLink,
  settings: { thing: string; names: readonly string[] },
  logger: Logger,
): { sync: ShadowSync; stop: () => Promise<void> } {
  const whenCloudChanged = { schedule: (_address: ShadowAddress): unknown => undefined };
  const cloud = new CloudShadows(link, settings.thing, (address) => void whenCloudChanged.schedule(address));
  const sync = new ShadowSync({
    shadows,
    cloud,
    link,
    thing: settings.thing,
    names: settings.names,
    log: (level, event, fields) => logger[level](fields, event),
  });
  whenCloudChanged.schedule = (address) => sync.schedule(address);
  const unsubscribe = cloud.start();
  sync.start();
  return {
    sync,
    stop: async () => {
      unsubscribe();
      await sync.stop();
    },
  };
}
