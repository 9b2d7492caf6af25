import { Gauge, type Registry } from 'prom-client';
import { lichenVersion } from '@lichen/contracts';
import type { Readiness } from './readiness.js';

/** The process's own metrics: the bus connection, each hosted service's readiness, the build. */
export function registerRuntimeMetrics(registry: Registry, view: { busConnected(): boolean; readiness: Readiness }): void {
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
    help: 'Whether a service hosted by this process passes its readiness checks and those of the process (1) or not (0), as /healthz judges.',
    labelNames: ['service'],
    registers,
    async collect() {
      for (const service of view.readiness.serviceNames) this.set({ service }, (await view.readiness.ready(service)) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lichen_build_info',
    help: 'The Lichen and Node.js versions this process runs, as labels; always 1.',
    labelNames: ['version', 'nodejs'],
    registers,
  }).set({ version: lichenVersion, nodejs: process.versions.node }, 1);
}
