import type { ComponentSpec } from '../../src/domain/component/component-spec.js';
import type {
  ComponentExit,
  ComponentInstance,
  ComponentRuntime,
  LaunchContext,
  LogEntry,
} from '../../src/domain/runtime/component-runtime.js';

/**
 * A runtime in memory, for unit specs of the domain: instances appear on `start`, vanish on `stop`, and exit when
 * the spec says `crash`. It records every call so a spec can assert what the manager did to the device.
 */
export class FakeRuntime implements ComponentRuntime {
  readonly kind = 'process' as const;
  readonly calls: string[] = [];
  readonly instances = new Map<string, ComponentInstance & { spec: ComponentSpec; env: Record<string, string> }>();
  /** `name@version`s whose health check fails; components that cannot be installed. */
  readonly unhealthy = new Set<string>();
  readonly uninstallable = new Set<string>();
  /** Components whose install never returns (until aborted). */
  readonly hangingInstall = new Set<string>();
  /** Report a stopped instance's exit after `stop` resolved, as Docker's `die` event does. */
  reportStopsLate = false;
  private readonly listeners: ((exit: ComponentExit) => void)[] = [];
  private nextId = 1;

  async available(): Promise<boolean> {
    return true;
  }

  async list(): Promise<ComponentInstance[]> {
    return [...this.instances.values()];
  }

  async install(spec: ComponentSpec, signal: AbortSignal): Promise<void> {
    this.calls.push(`install ${spec.name}@${spec.version}`);
    if (this.hangingInstall.has(spec.name)) {
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    if (this.uninstallable.has(spec.name)) throw new Error(`no such image for ${spec.name}`);
  }

  async start(spec: ComponentSpec, context: LaunchContext): Promise<ComponentInstance> {
    this.calls.push(`start ${spec.name}@${spec.version}`);
    const instance = {
      name: spec.name,
      runtime: 'process' as const,
      id: String(this.nextId++),
      fingerprint: context.fingerprint,
      deployment: context.deployment,
      status: 'running' as const,
      spec,
      env: { ...spec.env, ...context.env },
    };
    this.instances.set(spec.name, instance);
    return instance;
  }

  async stop(name: string): Promise<void> {
    this.calls.push(`stop ${name}`);
    const instance = this.instances.get(name);
    this.instances.delete(name);
    if (instance && this.reportStopsLate) {
      setTimeout(
        () =>
          this.listeners.forEach((listener) =>
            listener({ name, id: instance.id, exitCode: 143, oomKilled: false, at: new Date() }),
          ),
        5,
      );
    }
  }

  async runCheck(spec: ComponentSpec): Promise<boolean> {
    return !this.unhealthy.has(`${spec.name}@${spec.version}`);
  }

  onExit(listener: (exit: ComponentExit) => void): () => void {
    this.listeners.push(listener);
    return () => undefined;
  }

  /** The component's process ends with `exitCode`, as a crash would. */
  exit(name: string, exitCode: number, oomKilled = false): void {
    const instance = this.instances.get(name);
    if (!instance) throw new Error(`${name} is not running`);
    this.instances.set(name, { ...instance, status: 'exited', exitCode, oomKilled });
    for (const listener of this.listeners) listener({ name, id: instance.id, exitCode, oomKilled, at: new Date() });
  }

  async *logs(name: string): AsyncIterable<LogEntry> {
    yield { stream: 'stdout', line: `${name} has no output in a fake`, time: new Date() };
  }

  async close(): Promise<void> {
    this.listeners.length = 0;
  }
}
