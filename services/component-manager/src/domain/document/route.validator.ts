import type { JsonObject } from '@bufbuild/protobuf';
import type { Route } from '@lichen/contracts';
import { didYouMean } from './closest-name.js';
import type { DocumentDefaults } from './document-defaults.js';
import { cloudTopicProblem, subjectProblem } from './nats-subject.js';
import { nameProblem } from './resource-name.js';
import type { RouteSpec, RouteTarget } from './valid-deployment.js';
import type { ValidationContext } from './validation-context.js';
import { fieldPath, indexPath } from './violation.js';

/**
 * Checks a document's routes and reads them into `RouteSpec`s. The router runs them, so this checks what can
 * be checked without it: unique names, subjects, targets (a `model:` target must name a model of the same
 * document) and `sample`. `where` is CEL and `rateLimit` the router's own format: the router compiles them.
 * `json` is the routes as the shape check normalized them, to tell `sample: 0` from no sample.
 */
export function validateRoutes(
  routes: readonly Route[],
  json: readonly JsonObject[],
  models: ReadonlySet<string>,
  context: ValidationContext,
  defaults: DocumentDefaults,
): RouteSpec[] {
  const seen = new Map<string, number>();
  return routes.map((route, index) => {
    const path = indexPath('routes', index);
    const at = (field: string) => fieldPath(path, field);
    if (context.wasRejected(path))
      return { name: route.name, from: route.from, to: { kind: 'subject', subject: route.to }, sample: defaults.routeSample };
    if (context.require(at('name'), route.name, 'a name for this route')) {
      const problem = nameProblem(route.name, 'route name');
      const first = seen.get(route.name);
      if (problem) context.report(at('name'), problem);
      else if (first !== undefined) context.report(at('name'), `"${route.name}" is already the name of routes[${first}]`);
      else seen.set(route.name, index);
    }
    if (context.require(at('from'), route.from, 'the subject filter it reads, e.g. data.vibration.>')) {
      const problem = subjectProblem(route.from, { wildcards: true });
      if (problem) context.report(at('from'), problem);
    }
    const to = readTarget(route.to, at('to'), models, context);
    const sampleGiven = Object.hasOwn(json[index] ?? {}, 'sample');
    if (sampleGiven && !(route.sample > 0 && route.sample <= 1))
      context.report(at('sample'), `must be more than 0 and at most 1, got ${route.sample}`);
    return {
      name: route.name,
      from: route.from,
      ...(route.where !== '' ? { where: route.where } : {}),
      to,
      sample: sampleGiven ? route.sample : defaults.routeSample,
      ...(route.rateLimit !== '' ? { rateLimit: route.rateLimit } : {}),
    };
  });
}

function readTarget(to: string, path: string, models: ReadonlySet<string>, context: ValidationContext): RouteTarget {
  const subject: RouteTarget = { kind: 'subject', subject: to };
  if (!context.require(path, to, 'cloud:<topic>, model:<name> or a subject')) return subject;
  const [, scheme, rest = ''] = /^([a-z]+):(.*)$/.exec(to) ?? [];
  if (scheme === 'cloud') {
    const problem = cloudTopicProblem(rest);
    if (problem) context.report(path, problem);
    return { kind: 'cloud', topic: rest };
  }
  if (scheme === 'model') {
    const model = rest;
    if (!models.has(model)) context.report(path, `no model named "${model}" in models${didYouMean(model, models)}`);
    return { kind: 'model', model };
  }
  if (scheme !== undefined) {
    context.report(path, `unknown target "${scheme}:"; use cloud:<topic>, model:<name> or a subject`);
    return subject;
  }
  const problem = subjectProblem(to, { wildcards: false });
  if (problem) context.report(path, problem);
  return subject;
}
