import { Counter, type Registry } from 'prom-client';
import type { ViolationCounts } from './bus-authority.port.js';

/** The violations NATS refused, per user and kind, read from the watch at every scrape. */
export function registerViolationMetric(registry: Registry, violations: { all(): ReadonlyMap<string, ViolationCounts> }): void {
  new Counter({
    name: 'lichen_bus_permission_violations_total',
    help: "Publishes and subscriptions the device's NATS refused a user because its permissions do not allow them, by user and kind (publish, subscribe).",
    labelNames: ['user', 'kind'],
    registers: [registry],
    collect() {
      // The watch holds the totals since start; the counter repeats them.
      this.reset();
      for (const [user, counts] of violations.all()) {
        if (counts.publish) this.inc({ user, kind: 'publish' }, counts.publish);
        if (counts.subscribe) this.inc({ user, kind: 'subscribe' }, counts.subscribe);
      }
    },
  });
}
