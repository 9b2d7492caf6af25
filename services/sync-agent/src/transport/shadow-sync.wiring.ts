import type { Logger } from '@lichen/logging';
import type { CloudLink } from '../domain/link/cloud-link.js';
import type { LocalShadows } from '../domain/shadow/local-shadows.js';
import { CloudShadows } from '../domain/sync/cloud-shadows.js';
import { ShadowSync } from '../domain/sync/shadow-sync.js';

/** The thing's shadows synced with the cloud over the link: started at once, stopped by what it returns. */
export function startShadowSync(
  shadows: LocalShadows,
  link: CloudLink,
  settings: { thing: string; names: readonly string[] },
  logger: Logger,
): { sync: ShadowSync; stop: () => Promise<void> } {
  const cloud = new CloudShadows(link, settings.thing);
  const sync = new ShadowSync({
    shadows,
    cloud,
    link,
    thing: settings.thing,
    names: settings.names,
    log: (level, event, fields) => logger[level](fields, event),
  });
  const unsubscribe = cloud.start((address) => void sync.schedule(address));
  sync.start();
  return {
    sync,
    // Unsubscribing answers the requests still waiting, so the syncs under way end at once.
    stop: async () => {
      unsubscribe();
      await sync.stop();
    },
  };
}
