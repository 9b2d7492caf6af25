import { subjects } from '@lichen/contracts';
import { compileRoute, isServerSubject, type RouteDefinition } from '@lichen/routes';
import { ConditionView, LastPayload } from './condition-input.js';
import { HOPS_HEADER, type InboundMessage } from './inbound-message.js';
import { RouteCounters, type DropReason } from './route-counters.js';
import { ModelCallError, type RouteOutlet } from './route-outlet.js';
import { RouteTable } from './route-table.js';
import { RunningRoute } from './running-route.js';

export interface RouterPorts {
  readonly outlet: RouteOutlet;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
  /** Milliseconds, monotonic. */
  readonly now?: () => number;
}

/** How many routes a message may pass through before the router calls it a loop and drops it. */
export const MAX_HOPS = 8;
/** Model calls in flight per route; more are dropped as `model_busy`. */
export const MAX_ASKING = 64;

/**
 * Runs the routes of the desired deployment on every message that reaches it: matches `from`, evaluates
 * `where` (JSON parsed once per message, only when a condition reads it), samples, rate-limits, and delivers
 * to a subject, the cloud spool or a model. Never throws on message content: what is not routed is counted
 * with its reason. Routes are swapped in two steps (`prepare`, then `activate` once the new filters are
 * subscribed), and an unchanged route keeps running as it was.
 */
export class MessageRouter {
  #table = RouteTable.empty();
  readonly #counters = new Map<string, RouteCounters>();
  /** A message that several filters match arrives once per filter: its payload is parsed once all the same. */
  readonly #payloads = new LastPayload();
  readonly #now: () => number;

  constructor(private readonly ports: RouterPorts) {
    this.#now = ports.now ?? (() => performance.now());
  }

  get table(): RouteTable {
    return this.#table;
  }

  /** The table for a deployment's routes, reusing each route that did not change; compiles the others. */
  prepare(deploymentId: string, definitions: readonly RouteDefinition[]): RouteTable {
    const running = new Map(this.#table.routes.map((route) => [route.compiled.key, route]));
    const routes: RunningRoute[] = [];
    for (const definition of definitions) {
      const compiled = compileRoute(definition);
      if (!compiled.ok) {
        // Validated when the deployment was accepted; a router of another version may still disagree.
        const problems = compiled.problems.map((problem) => `${problem.field}: ${problem.message}`);
        this.ports.log('route not run', { deployment: deploymentId, route: definition.name, problems });
        continue;
      }
      const counters = this.#counters.get(definition.name) ?? new RouteCounters();
      routes.push(running.get(compiled.route.key) ?? new RunningRoute(compiled.route, counters));
    }
    return new RouteTable(deploymentId, routes);
  }

  /** Makes `table` the one messages are routed by; counters of routes it no longer has are forgotten. */
  activate(table: RouteTable): void {
    this.#table = table;
    const names = new Set(table.routes.map((route) => route.name));
    for (const name of [...this.#counters.keys()]) if (!names.has(name)) this.#counters.delete(name);
    for (const route of table.routes) this.#counters.set(route.name, route.counters);
  }

  /** Routes one message that arrived on the subscription on `filter`. Resolves when its deliveries are done. */
  handle(filter: string, message: InboundMessage): void | Promise<void> {
    const arrived = this.#now();
    const table = this.#table;
    const routes = table.routesOf(filter);
    // Replies and the server's own subjects (a `*.>` reads them too) are never routed: they are the acknowledgements
    // of the router's own deliveries, among others.
    if (routes.length === 0 || isServerSubject(message.subject)) return;
    const subject = message.subject.split('.');
    const hops = hopsOf(message);
    let view: ConditionView | undefined;
    let pending: Promise<void>[] | undefined;
    for (const route of routes) {
      const captured = route.compiled.filter.match(subject);
      if (!captured) continue;
      const { counters } = route;
      counters.matched++;
      if (hops >= MAX_HOPS) {
        counters.drop('loop');
        continue;
      }
      const condition = route.compiled.condition;
      if (condition) {
        view ??= new ConditionView(message, this.#payloads);
        let passed: boolean;
        try {
          passed = condition(view);
        } catch {
          counters.drop(view.notJson ? 'not_json' : 'condition_error');
          continue;
        }
        if (!passed) {
          counters.drop('condition_false');
          continue;
        }
      }
      if (!route.sampler.take()) counters.drop('sampled_out');
      else if (route.bucket && !route.bucket.take()) counters.drop('rate_limited');
      else {
        const delivery = this.#deliver(route, captured, message, hops, arrived, table);
        if (delivery) (pending ??= []).push(delivery);
      }
    }
    if (pending) return Promise.all(pending).then(() => undefined);
  }

  #deliver(
    route: RunningRoute,
    captured: string[],
    message: InboundMessage,
    hops: number,
    arrived: number,
    table: RouteTable,
  ): Promise<void> | undefined {
    const { target } = route.compiled;
    const { outlet } = this.ports;
    const delivered = () => {
      route.counters.routed++;
      route.counters.latency.observe((this.#now() - arrived) / 1_000);
    };
    // Only a message that a route may read again carries the hop count: none pays for it otherwise.
    const nextHops = (subject: string) => (table.reads(subject.split('.')) ? hops + 1 : undefined);
    const publish = (subject: string, data: Uint8Array, headers: InboundMessage['headers']) =>
      outlet.publish(subject, data, headers, nextHops(subject));
    if (target.kind === 'subject') {
      try {
        publish(target.subject(captured), message.data, message.headers);
        delivered();
      } catch (error) {
        this.#failed(route, 'publish_failed', error);
      }
      return undefined;
    }
    if (target.kind === 'cloud') {
      const subject = target.subject(captured);
      return outlet
        .spool(subject, message.data, message.headers, nextHops(subject))
        .then(delivered, (error: unknown) => this.#failed(route, 'spool_failed', error));
    }
    if (route.asking >= MAX_ASKING) {
      route.counters.drop('model_busy');
      return undefined;
    }
    route.asking++;
    return outlet
      .ask(target.model, message.data, message.headers, nextHops(subjects.inference.infer.subject(target.model)))
      .then(
        (answer) => {
          try {
            publish(target.output(captured), answer.data, answer.headers);
            delivered();
          } catch (error) {
            this.#failed(route, 'publish_failed', error);
          }
        },
        (error: unknown) => {
          const kind = error instanceof ModelCallError ? error.kind : 'error';
          this.#failed(route, `model_${kind}`, error);
        },
      )
      .finally(() => route.asking--);
  }

  #failed(route: RunningRoute, reason: DropReason, error: unknown): void {
    route.counters.drop(reason);
    // Delivery failures repeat for every message while they last: the counters say how many, the log says why once.
    if ((route.counters.dropped.get(reason) ?? 0) === 1) {
      this.ports.log('route cannot deliver', { route: route.name, reason, cause: (error as Error)?.message ?? String(error) });
    }
  }
}

/** The hop count a message carries: a whole number, anything else (absent, garbage, negative) counting as none. */
function hopsOf(message: InboundMessage): number {
  const hops = Number.parseInt(message.headers?.get(HOPS_HEADER) ?? '', 10);
  return Number.isInteger(hops) && hops > 0 ? hops : 0;
}
