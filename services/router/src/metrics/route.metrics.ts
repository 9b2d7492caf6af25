import { Counter, Histogram, type Registry } from 'prom-client';
import type { MessageRouter } from '../domain/message-router.js';

/** Seconds from a message's arrival to its delivery: microseconds for a subject, a round trip for a model. */
const latencyBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * Per-route counters, read from the router's own counts at scrape time (the hot path increments plain numbers),
 * and a latency histogram per route. Returns the recorder the router asks for each route.
 */
export function registerRouteMetrics(
  registry: Registry,
  router: () => MessageRouter,
): (route: string) => (seconds: number) => void {
  const routes = () => router().table.routes;
  new Counter({
    name: 'lichen_route_messages_matched_total',
    help: "Messages on a subject a route's from matches.",
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const route of routes()) this.inc({ route: route.name }, route.counters.matched);
    },
  });
  new Counter({
    name: 'lichen_route_messages_routed_total',
    help: 'Messages a route delivered to its target.',
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const route of routes()) this.inc({ route: route.name }, route.counters.routed);
    },
  });
  new Counter({
    name: 'lichen_route_messages_dropped_total',
    help: 'Matched messages a route did not deliver, by reason (condition_false, not_json, condition_error, ...).',
    labelNames: ['route', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const route of routes()) {
        for (const [reason, count] of route.counters.dropped) this.inc({ route: route.name, reason }, count);
      }
    },
  });
  const latency = new Histogram({
    name: 'lichen_route_latency_seconds',
    help: "Seconds from a message's arrival at the router to its delivery by a route.",
    labelNames: ['route'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  return (route) => {
    const child = latency.labels({ route });
    return (seconds) => child.observe(seconds);
  };
}
