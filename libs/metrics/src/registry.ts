import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * prom-client names three gauges with `_total`, which Prometheus reserves for counters (`promtool check
 * metrics` rejects them). Their per-type gauges (`lichen_nodejs_active_handles`, ...) carry the same numbers.
 */
const misnamedDefaults = ['active_handles_total', 'active_requests_total', 'active_resources_total'];

/**
 * The Registry of this process: the Node.js process metrics under `lichen_` (`lichen_process_cpu_seconds_total`,
 * `lichen_nodejs_heap_size_used_bytes`, ...). One per process, however many services it hosts: the process
 * metrics describe the process, so they carry no service label.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lichen_' });
  for (const name of misnamedDefaults) registry.removeSingleMetric(`lichen_nodejs_${name}`);
  return registry;
}
