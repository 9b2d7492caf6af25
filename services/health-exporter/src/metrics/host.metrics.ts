import { Counter, type Registry } from 'prom-client';
import type { HostReader } from '../domain/host/host-reader.js';
import type { HostSnapshot } from '../domain/host/host-snapshot.js';
import { HOST_METRIC_FAMILIES } from './host-metric.families.js';
import { registerFamilies } from './metric-family.js';
import { SharedRead, type SharedReadOptions } from './shared-read.js';

/** Options for tests; by default a reading is reused for 500 ms. */
export type HostMetricsOptions = SharedReadOptions;

/**
 * Registers the `lichen_host_*` metrics, filled from `reader` at scrape time. The host is read once per scrape
 * however many metrics need it. When the read fails the host metrics are empty for that scrape, the other
 * metrics of the registry are not affected, and `lichen_host_read_errors_total` counts it.
 */
export function registerHostMetrics(registry: Registry, reader: HostReader, options: HostMetricsOptions = {}): void {
  const readErrors = new Counter({
    name: 'lichen_host_read_errors_total',
    help: 'Scrapes for which the host could not be read from /proc.',
    registers: [registry],
    // Waits for this scrape's read so that a failure is counted in the same scrape.
    async collect() {
      await latest.get();
    },
  });
  const latest = new SharedRead<HostSnapshot | undefined>(async () => {
    try {
      return await reader.read();
    } catch {
      readErrors.inc();
      return undefined;
    }
  }, options);
  registerFamilies(registry, HOST_METRIC_FAMILIES, latest);
}
