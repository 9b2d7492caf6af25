import { defineService } from '@lichen/host';
import { routerConfigShape } from './config.js';
import { RouterModule } from './router.module.js';

/** The router as the runtime host runs it: the desired deployment's routes, on the bus. */
export const router = defineService({
  name: 'router',
  config: routerConfigShape,
  module: (context) => RouterModule.register(context),
});
