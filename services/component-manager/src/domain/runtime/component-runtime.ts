import type { ComponentSpec, RuntimeKind } from '../component/component-spec.js';

/** One component instance as its runtime sees it: a container labelled `lichen.component`, or a process it owns. */
export interface ComponentInstance {
  readonly name: string;
  readonly runtime: RuntimeKind;
  /** Container id, or the process group id. */
  readonly id: string;
  /** The `fingerprint` it was started with (a container label, or the process record). */
  readonly fingerprint: string;
  /** The deployment that started it. */
  readonly deployment: string;
  readonly status: 'running' | 'exited';
  readonly startedAt?: Date;
  /** For an exited instance: its exit code, when the runtime knows it. */
  readonly exitCode?: number;
  /** The kernel killed it for going over its memory limit. */
  readonly oomKilled?: boolean;
}

/** An instance that stopped running, reported the moment the runtime sees it. */
export interface ComponentExit {
  readonly name: string;
  readonly id: string;
  /** null when the runtime cannot know it (a process adopted from an earlier run). */
  readonly exitCode: number | null;
  readonly signal?: string;
  readonly oomKilled: boolean;
  readonly at: Date;
}

/** What the component manager adds to every start: who started it, and the component's environment. */
export interface LaunchContext {
  readonly fingerprint: string;
  readonly deployment: string;
  /** LICHEN_NATS_URL, LICHEN_COMPONENT, ... merged over the spec's own `env` (the spec wins nothing here). */
  readonly env: Readonly<Record<string, string>>;
}

export interface LogEntry {
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
  readonly time: Date;
}

/**
 * A way of running components: Docker containers or native processes. Only adapters implement it; every method
 * honours `signal` (the caller's timeout) by giving up and rejecting with the signal's reason.
 */
export interface ComponentRuntime {
  readonly kind: RuntimeKind;
  /** Whether this device can run this kind of component now (a Docker engine answers). */
  available(): Promise<boolean>;
  /** Every instance this runtime has for this device, running or exited. */
  list(): Promise<ComponentInstance[]>;
  /** Gets it ready to start: pull the image as the pull policy says; or run the install script once per version. */
  install(spec: ComponentSpec, signal: AbortSignal): Promise<void>;
  /** Creates and starts it, replacing an exited instance of the same name. Resolves once it has started. */
  start(spec: ComponentSpec, context: LaunchContext, signal: AbortSignal): Promise<ComponentInstance>;
  /** SIGTERM, SIGKILL after `timeoutMs`, then removes it (a process component runs its shutdown script). */
  stop(name: string, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Runs the spec's health check command inside (docker) or beside (process) the component: true on exit 0. */
  runCheck(spec: ComponentSpec, signal: AbortSignal): Promise<boolean>;
  /** Tells `listener` of every exit, at once; returns the unsubscribe function. */
  onExit(listener: (exit: ComponentExit) => void): () => void;
  /** The last `tail` lines of output, then, with `follow`, new lines until `signal` aborts. */
  logs(name: string, options: { tail: number; follow: boolean; signal: AbortSignal }): AsyncIterable<LogEntry>;
  close(): Promise<void>;
}
