import type { JsonObject } from '@bufbuild/protobuf';
import type { Route } from '@lichen/contracts';
import { compileRoute, routeDefinitionOf, type RouteDefinition } from '@lichen/routes';
import { didYouMean } from './closest-name.js';
import { nameProblem } from './resource-name.js';
import type { ValidationContext } from './validation-context.js';
import { fieldPath, indexPath } from './violation.js';

/**
 * Checks a document's routes and reads them into the definitions the router runs. The router's own compiler
 * (`@lichen/routes`) checks every field, so a route accepted here compiles there: subjects, the `where`
 * condition (CEL, with the column of a mistake), targets and their `$N` tokens, `sample` and `rateLimit`. Here
 * only what needs the whole document: unique names, and a `model:` target naming a model of the same document.
 * `json` is the routes as the shape check normalized them, to tell `sample: 0` from no sample.
 */
export function validateRoutes(
  routes: readonly Route[],
  json: readonly JsonObject[],
  models: ReadonlySet<string>,
  context: ValidationContext,
): RouteDefinition[] {
  const seen = new Map<string, number>();
  return routes.map((route, index) => {
    const path = indexPath('routes', index);
    const at = (field: string) => fieldPath(path, field);
    const definition = routeDefinitionOf(route, Object.hasOwn(json[index] ?? {}, 'sample'));
    if (context.wasRejected(path)) return definition;
    if (context.require(at('name'), route.name, 'a name for this route')) {
      const problem = nameProblem(route.name, 'route name');
      const first = seen.get(route.name);
      if (problem) context.report(at('name'), problem);
      else if (first !== undefined) context.report(at('name'), `"${route.name}" is already the name of routes[${first}]`);
      else seen.set(route.name, index);
    }
    const fromGiven = context.require(at('from'), route.from, 'the subject filter it reads, e.g. data.vibration.>');
    const toGiven = context.require(at('to'), route.to, 'cloud:<topic>, model:<name> or a subject');
    if (!fromGiven || !toGiven) return definition;
    const compiled = compileRoute(definition);
    if (!compiled.ok) for (const problem of compiled.problems) context.report(at(problem.field), problem.message);
    const model = /^model:(.+)$/.exec(route.to)?.[1];
    if (model !== undefined && !models.has(model))
      context.report(at('to'), `no model named "${model}" in models${didYouMean(model, models)}`);
    return definition;
  });
}
