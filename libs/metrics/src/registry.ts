import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A Registry of this process's own: the Node.js process metrics under `lichen_`
 * (`lichen_process_cpu_seconds_total`, `lichen_nodejs_heap_size_used_bytes`, ...), labelled with the service.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lichen_', labels: { service } });
  return registry;
}
