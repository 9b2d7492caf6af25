import type { Deployment } from '@lichen/contracts';
import type { ComponentSpec } from '../component/component-spec.js';

/** Where a route sends what passes its filter. */
export type RouteTarget =
  | { readonly kind: 'subject'; readonly subject: string }
  | { readonly kind: 'cloud'; readonly topic: string }
  | { readonly kind: 'model'; readonly model: string };

/** One route as the router runs it: `from` a subject filter, `where` an optional CEL condition, `to` a target. */
export interface RouteSpec {
  readonly name: string;
  readonly from: string;
  readonly where?: string;
  readonly to: RouteTarget;
  /** The share of matching messages passed on, in (0, 1]. */
  readonly sample: number;
  /** Passed to the router as written; the router owns its format. */
  readonly rateLimit?: string;
}

/** One model as the inference service loads it. */
export interface ModelSpec {
  readonly name: string;
  readonly version: string;
  readonly uri: string;
  /** Lower-case hex, when the document gives one. */
  readonly sha256?: string;
}

/** A deployment document that passed every check, with defaults filled in and units converted. */
export interface ValidDeployment {
  readonly name: string;
  readonly revision: number;
  readonly target: string;
  readonly failurePolicy: 'rollback' | 'none';
  readonly timeoutMs: number;
  readonly components: Readonly<Record<string, ComponentSpec>>;
  /** Stages of component names; each stage depends only on earlier ones. */
  readonly startOrder: string[][];
  readonly routes: RouteSpec[];
  readonly models: Readonly<Record<string, ModelSpec>>;
  /** The document as the proto message, for storing and sending on. */
  readonly document: Deployment;
}
