import { LatencyHistogram } from './latency-histogram.js';

/** Why a matched message was not delivered; the `reason` label of `lichen_route_messages_dropped_total`. */
export type DropReason =
  | 'condition_false'
  | 'not_json'
  | 'condition_error'
  | 'sampled_out'
  | 'rate_limited'
  | 'loop'
  | 'publish_failed'
  | 'spool_failed'
  | 'model_busy'
  | 'model_unavailable'
  | 'model_timeout'
  | 'model_error';

/** A route's counts since the router started, kept across versions of the route with the same name. */
export class RouteCounters {
  matched = 0;
  routed = 0;
  readonly dropped = new Map<DropReason, number>();
  /** How long its deliveries took. */
  readonly latency = new LatencyHistogram();

  drop(reason: DropReason): void {
    this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
  }
}
