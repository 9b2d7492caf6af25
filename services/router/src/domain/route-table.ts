import { SubjectFilter } from '@lichen/routes';
import type { RunningRoute } from './running-route.js';

/**
 * The routes of one deployment, arranged for the hot path: one subscription per distinct `from`, feeding the
 * routes that have exactly that filter. A filter that two tables share keeps its subscription across a change,
 * and what arrives on it is handled by the routes in force, so an unchanged route never loses or doubles a
 * message. (One subscription covering several filters would save deliveries, but a change of which filter covers
 * which would split the two copies of a message between the old routes and the new.)
 */
export class RouteTable {
  readonly filters: readonly SubjectFilter[];
  readonly #routesOf = new Map<string, RunningRoute[]>();

  constructor(
    readonly deploymentId: string,
    readonly routes: readonly RunningRoute[],
  ) {
    for (const route of routes) {
      const text = route.compiled.filter.text;
      const same = this.#routesOf.get(text);
      if (same) same.push(route);
      else this.#routesOf.set(text, [route]);
    }
    this.filters = [...this.#routesOf.keys()].map((text) => new SubjectFilter(text));
  }

  static empty(): RouteTable {
    return new RouteTable('', []);
  }

  /** The routes fed by the subscription on `filter`; none if this table has no such filter. */
  routesOf(filter: string): readonly RunningRoute[] {
    return this.#routesOf.get(filter) ?? [];
  }

  /** Whether some route reads a subject (split on dots): a message published there comes back to the router. */
  reads(subject: readonly string[]): boolean {
    return this.filters.some((filter) => filter.match(subject) !== undefined);
  }
}
