/** A JSON value, as a component's `config` holds it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type RuntimeKind = 'docker' | 'process';
export type DependencyKind = 'hard' | 'soft';
export type RestartPolicyName = 'always' | 'on-failure' | 'never';
export type PullPolicy = 'if-not-present' | 'always' | 'never';

/** The scripts of a `process` component, run with `sh -c` in the component's own process group. */
export interface ProcessScripts {
  readonly install?: string;
  readonly startup?: string;
  readonly run: string;
  readonly shutdown?: string;
  readonly cwd?: string;
}

/** How a component proves it is healthy once it runs: a command that exits 0, or a port that accepts. */
export interface HealthCheckSpec {
  readonly command?: readonly string[];
  readonly tcp?: { readonly host: string; readonly port: number };
  readonly intervalMs: number;
}

/**
 * One component as the component manager works with it: the deployment document's component, validated, with
 * defaults filled in and quantities and durations in base units. Everything that decides how the component runs
 * is here, so two specs that are equal (apart from `config`) need no restart.
 */
export interface ComponentSpec {
  readonly name: string;
  readonly version: string;
  readonly runtime: RuntimeKind;
  /** docker: the image reference. */
  readonly image?: string;
  /** docker: overrides the image's command. */
  readonly command?: readonly string[];
  /** process: the lifecycle scripts. */
  readonly process?: ProcessScripts;
  readonly dependsOn: Readonly<Record<string, DependencyKind>>;
  readonly env: Readonly<Record<string, string>>;
  readonly config: JsonObject;
  readonly resources: { readonly memoryBytes?: number; readonly cpus?: number };
  readonly restart: { readonly policy: RestartPolicyName; readonly onConfigChange: boolean };
  readonly health: { readonly startupTimeoutMs: number; readonly check?: HealthCheckSpec };
  readonly timeouts: { readonly installMs: number; readonly shutdownMs: number };
  readonly pullPolicy: PullPolicy;
  /** docker: the network mode (`host` by default, so the component reaches the device's NATS on loopback). */
  readonly network: string;
  readonly permissions: { readonly publish: readonly string[]; readonly subscribe: readonly string[] };
}
