import type { Deployment } from '@lichen/contracts';
import type { RouteDefinition } from '@lichen/routes';
import type { ComponentSpec } from '../component/component-spec.js';

/** One model as the inference service loads it. */
export interface ModelSpec {
  readonly name: string;
  readonly version: string;
  readonly uri: string;
  /** Lower-case hex, when the document gives one. */
  readonly sha256?: string;
}

/** An MQTT client device: its bus user is `device-<name>`. */
export interface ClientDeviceSpec {
  readonly name: string;
  /** bcrypt, as NATS checks it. */
  readonly passwordHash: string;
  readonly permissions: { readonly publish: readonly string[]; readonly subscribe: readonly string[] };
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
  /** As the router runs them (`@lichen/routes` compiles each). */
  readonly routes: RouteDefinition[];
  readonly models: Readonly<Record<string, ModelSpec>>;
  readonly devices: Readonly<Record<string, ClientDeviceSpec>>;
  /** The document as the proto message, for storing and sending on. */
  readonly document: Deployment;
}
