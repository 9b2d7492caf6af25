import { Counter, type Metric, type Registry } from 'prom-client';
import { LATENCY_BUCKETS } from '../domain/latency-histogram.js';
import type { MessageRouter } from '../domain/message-router.js';
import type { RunningRoute } from '../domain/running-route.js';

/**
 * Per-route counters and latency histograms, read from the router's own counts at scrape time: the hot path only
 * adds to plain numbers.
 */
export function registerRouteMetrics(registry: Registry, router: MessageRouter): void {
  const routes = () => router.table.routes;
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
  // A registry reads only `name`, `get()` and `reset()` of a metric: a collector of bucket counts is one.
  registry.registerMetric(latencyMetric(routes) as unknown as Metric);
}

/**
 * `lichen_route_latency_seconds`, a histogram per route, written from the router's bucket counts when scraped
 * (prom-client's own Histogram would cost an observe call per message).
 */
function latencyMetric(routes: () => readonly RunningRoute[]) {
  const name = 'lichen_route_latency_seconds';
  return {
    name,
    help: "Seconds from a message's arrival at the router to its delivery by a route.",
    type: 'histogram',
    aggregator: 'sum',
    reset: () => undefined,
    get: async () => ({
      name,
      help: "Seconds from a message's arrival at the router to its delivery by a route.",
      type: 'histogram',
      aggregator: 'sum',
      values: routes().flatMap(({ name: route, counters: { latency } }) => {
        let cumulative = 0;
        const buckets = [...LATENCY_BUCKETS, Number.POSITIVE_INFINITY].map((bound, index) => {
          cumulative += latency.counts[index] ?? 0;
          const le = bound === Number.POSITIVE_INFINITY ? '+Inf' : String(bound);
          return { metricName: `${name}_bucket`, labels: { le, route }, value: cumulative };
        });
        return [
          ...buckets,
          { metricName: `${name}_sum`, labels: { route }, value: latency.sum },
          { metricName: `${name}_count`, labels: { route }, value: latency.count },
        ];
      }),
    }),
  };
}
