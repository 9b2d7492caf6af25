import { defineService } from '@lichen/host';
import { RedisAdapter } from './adapters/redis.adapter.js';
import { ComponentManagerModule } from './component-manager.module.js';
import { managerConfigShape } from './config.js';

/** The component manager as the runtime host runs it: deployments, components, runtimes. */
export const componentManager = defineService({
  name: 'component-manager',
  config: managerConfigShape,
  module: (context) => ComponentManagerModule.register(context),
  readiness: (resolve) => ({ redis: () => (resolve(RedisAdapter).ready ? undefined : 'redis is not reachable') }),
});
