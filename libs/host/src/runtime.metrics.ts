import { Gauge, type Registry } from 'prom-client';
import { lichenVersion } from '@lichen/contracts';
import type { HealthCheck } from '@lichen/metrics';

export interface RuntimeView {
  busConnected(): boolean;
  /** Each hosted service's readiness checks. */
  services: ReadonlyMap<string, Record<string, HealthCheck>>;
}

/** The process's own metrics: the bus connection, each hosted service's readiness, the build. */
export function registerRuntimeMetrics(registry: Registry, view: RuntimeView): void {
  const registers = [registry];
  new Gauge({
    name: 'lichen_bus_connected',
    help: 'Whether this process is connected to the NATS bus (1) or not (0).',
    registers,
    collect() {
      this.set(view.busConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lichen_service_ready',
    help: "Whether a service hosted by this process passes its readiness checks (1) or not (0); /healthz's view.",
    labelNames: ['service'],
    registers,
    async collect() {
      for (const [service, checks] of view.services) {
        const results = await Promise.all(Object.values(checks).map((check) => check()));
        this.set({ service }, view.busConnected() && results.every((problem) => !problem) ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'lichen_build_info',
    help: 'The Lichen and Node.js versions this process runs, as labels; always 1.',
    labelNames: ['version', 'nodejs'],
    registers,
  }).set({ version: lichenVersion, nodejs: process.versions.node }, 1);
}
