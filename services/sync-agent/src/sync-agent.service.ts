import { defineService } from '@lichen/host';
import { syncAgentConfigShape } from './config.js';
import { SyncAgentModule } from './sync-agent.module.js';

/** The sync agent as the runtime host runs it: the cloud link, the spool's forwarding, shadows and jobs. */
export const syncAgent = defineService({
  name: 'sync-agent',
  config: syncAgentConfigShape,
  module: (context) => SyncAgentModule.register(context),
});
