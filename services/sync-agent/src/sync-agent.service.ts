import { defineService } from '@lichen/host';
import { RedisShadowStore } from './adapters/redis.shadow-store.js';
import { syncAgentConfigShape } from './config.js';
import { SyncAgentModule } from './sync-agent.module.js';

/** The sync agent as the runtime host runs it: the cloud link, the spool's forwarding, shadows and jobs. */
export const syncAgent = defineService({
  name: 'sync-agent',
  config: syncAgentConfigShape,
  module: (context) => SyncAgentModule.register(context),
  readiness: (resolve) => ({ redis: () => (resolve(RedisShadowStore).ready ? undefined : 'redis is not reachable') }),
});
