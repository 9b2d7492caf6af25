import { TokenBucket, type CompiledRoute } from '@lichen/routes';
import type { RouteCounters } from './route-counters.js';
import { Sampler } from './sampler.js';

/**
 * One version of a route as the router runs it: compiled, with its sampler, rate limit and model calls in
 * flight. A route whose definition did not change between deployments keeps the same `RunningRoute`.
 */
export class RunningRoute {
  readonly sampler: Sampler;
  readonly bucket: TokenBucket | undefined;
  /** Model calls waiting for an answer: bounded, so a slow model cannot pile up work. */
  asking = 0;

  constructor(
    readonly compiled: CompiledRoute,
    readonly counters: RouteCounters,
  ) {
    this.sampler = new Sampler(compiled.sample);
    this.bucket = compiled.rateLimit ? new TokenBucket(compiled.rateLimit) : undefined;
  }

  get name(): string {
    return this.compiled.definition.name;
  }
}
