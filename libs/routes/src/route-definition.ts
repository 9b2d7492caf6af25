import type { Route } from '@lichen/contracts';

/** A route as a deployment writes it (`routes[]`), with `sample` defaulted; what `compileRoute` takes. */
export interface RouteDefinition {
  readonly name: string;
  /** A subject filter, `*` and `>` allowed. */
  readonly from: string;
  /** A CEL condition over `payload`, `subject` and `headers`; every message passes without one. */
  readonly where?: string;
  /** A subject (with `$N` tokens from `from`), `cloud:<topic>` or `model:<name>`. */
  readonly to: string;
  /** For `model:` targets: where the model's answer is published. */
  readonly output?: string;
  /** The share of passing messages sent on, in (0, 1]. */
  readonly sample: number;
  /** `<count>/<unit>`, e.g. `100/s`. */
  readonly rateLimit?: string;
}

/** What a compiled route sends to. Subjects are templates filled with the wildcards `from` matched. */
export type CompiledTarget =
  | { readonly kind: 'subject'; readonly subject: (captured: readonly string[]) => string }
  | { readonly kind: 'cloud'; readonly topic: string; readonly subject: (captured: readonly string[]) => string }
  | { readonly kind: 'model'; readonly model: string; readonly output: (captured: readonly string[]) => string };

/** A field of a route that is wrong, and why; `compileRoute` reports them all. */
export interface RouteProblem {
  readonly field: 'from' | 'where' | 'to' | 'output' | 'sample' | 'rateLimit';
  readonly message: string;
}

/**
 * A route of a deployment (the proto message) as a definition. proto3 has no "unset" for a double, so a `sample`
 * of 0 is the default, 1, unless `sampleGiven` says the document wrote it (the validator then refuses it).
 */
export function routeDefinitionOf(route: Route, sampleGiven = false): RouteDefinition {
  return {
    name: route.name,
    from: route.from,
    ...(route.where !== '' ? { where: route.where } : {}),
    to: route.to,
    ...(route.output !== '' ? { output: route.output } : {}),
    sample: sampleGiven || route.sample !== 0 ? route.sample : 1,
    ...(route.rateLimit !== '' ? { rateLimit: route.rateLimit } : {}),
  };
}
