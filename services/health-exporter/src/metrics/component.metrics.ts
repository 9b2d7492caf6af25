import { Gauge, type Registry } from 'prom-client';
import { componentStateNames } from '@lichen/contracts';
import type { ComponentStateBook } from '../domain/components/component-state-book.js';

export interface RuntimeView {
  components: ComponentStateBook;
  busConnected(): boolean;
  version: string;
}

/** Lichen's own metrics: one gauge per component and state, the bus connection, the build. */
export function registerRuntimeMetrics(registry: Registry, view: RuntimeView): void {
  const registers = [registry];
  new Gauge({
    name: 'lichen_component_state',
    help: 'Whether a component is in a state (1) or not (0), one series per component and state.',
    labelNames: ['component', 'state'],
    registers,
    collect() {
      this.reset();
      for (const [component, current] of view.components.entries()) {
        for (const state of componentStateNames) this.set({ component, state }, state === current ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'lichen_bus_connected',
    help: 'Whether this service is connected to the NATS bus (1) or not (0).',
    registers,
    collect() {
      this.set(view.busConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lichen_build_info',
    help: 'The Lichen and Node.js versions this exporter runs, as labels; always 1.',
    labelNames: ['version', 'nodejs'],
    registers,
  }).set({ version: view.version, nodejs: process.versions.node }, 1);
}
