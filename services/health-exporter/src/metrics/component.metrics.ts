import { Gauge, type Registry } from 'prom-client';
import { componentStateNames } from '@lichen/contracts';
import type { ComponentStateBook } from '../domain/components/component-state-book.js';

/** One gauge per component and state, 1 for the state the component is in. */
export function registerComponentMetrics(registry: Registry, components: ComponentStateBook): void {
  new Gauge({
    name: 'lichen_component_state',
    help: 'Whether a component is in a state (1) or not (0), one series per component and state.',
    labelNames: ['component', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [component, current] of components.entries()) {
        for (const state of componentStateNames) this.set({ component, state }, state === current ? 1 : 0);
      }
    },
  });
}
