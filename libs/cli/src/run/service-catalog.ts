import type { ServiceDescriptor } from '@lichen/host';

/**
 * Every service Lichen has, in the order they start. `lichen run` with no names runs them all. A service is
 * loaded only when it runs, so `lichen health` and a one-service container never load the others.
 */
export const serviceCatalog: Readonly<Record<string, () => Promise<ServiceDescriptor>>> = {
  router: async () => (await import('@lichen/router')).router,
  'component-manager': async () => (await import('@lichen/component-manager')).componentManager,
  'sync-agent': async () => (await import('@lichen/sync-agent')).syncAgent,
  'health-exporter': async () => (await import('@lichen/health-exporter')).healthExporter,
};
