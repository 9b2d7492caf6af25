import { coveringFilters, type SubjectFilter } from '@lichen/routes';
import type { RunningRoute } from './running-route.js';

/**
 * The routes of one deployment, arranged for the hot path: one subscription filter per group of routes (the
 * fewest filters that cover every route's `from`), and for each filter the routes a subject it receives may
 * match. A message is handled by the first filter that matches its subject (its owner), for every route, so it
 * is handled once even when it reaches the router on two overlapping subscriptions.
 */
export class RouteTable {
  readonly filters: readonly SubjectFilter[];
  readonly #routesOf = new Map<string, RunningRoute[]>();

  constructor(
    readonly deploymentId: string,
    readonly routes: readonly RunningRoute[],
  ) {
    this.filters = coveringFilters(routes.map((route) => route.compiled.filter));
    for (const filter of this.filters) {
      this.#routesOf.set(
        filter.text,
        routes.filter((route) => filter.intersects(route.compiled.filter)),
      );
    }
  }

  static empty(): RouteTable {
    return new RouteTable('', []);
  }

  /** The routes a message owned by `filter` may match, or undefined if this table has no such filter. */
  routesOf(filter: string): readonly RunningRoute[] | undefined {
    return this.#routesOf.get(filter);
  }

  /** The filter whose subscription handles a subject (split on dots), if any route could match it. */
  owner(subject: readonly string[]): string | undefined {
    for (const filter of this.filters) if (filter.match(subject)) return filter.text;
    return undefined;
  }
}
