import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bus } from '@lichen/bus';
import { processEnvironment } from '@lichen/config';
import { componentStateName, subjects, type ComponentStateEvent, type ComponentStatus } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, startRedisServer, waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';

const lichen = fileURLToPath(new URL('../../../libs/cli/bin/lichen.js', import.meta.url));
const quiet = createLogger({ service: 'component-manager-e2e', level: 'silent' });

/** Timings shrunk so restarts, backoff and reconcile run in seconds. */
export const fastTimings: Record<string, string> = {
  LICHEN_RESTART_BACKOFF_BASE: '300ms',
  LICHEN_RESTART_BACKOFF_MAX: '2s',
  LICHEN_RESTART_RESET_AFTER: '30s',
  LICHEN_RECONCILE_INTERVAL: '1s',
  LICHEN_HEALTH_SETTLE: '500ms',
};

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A device for a test: its own NATS and Redis, and `lichen run component-manager` as a child process that the
 * test can SIGKILL and start again on the same data folder, as an operator's device would be.
 */
export class TestDevice {
  readonly deviceId = `e2e-${Math.random().toString(36).slice(2, 8)}`;
  readonly events: ComponentStateEvent[] = [];
  bus!: Bus;
  private nats!: TestNatsServer;
  private redis!: TestRedisServer;
  private dataDir!: string;
  private manager: ChildProcess | undefined;
  private exporter: ChildProcess | undefined;
  private output = '';

  constructor(private readonly env: Record<string, string> = {}) {}

  async start(): Promise<void> {
    [this.nats, this.redis] = await Promise.all([startNatsServer({ jetstream: true }), startRedisServer()]);
    this.dataDir = await mkdtemp(join(tmpdir(), 'lichen-cm-e2e-'));
    this.bus = Bus.connect({ servers: this.nats.url, name: 'e2e', logger: quiet });
    await this.bus.ready;
    this.bus.subscribe(subjects.component.state, (event) => void this.events.push(event));
    await this.startManager();
  }

  /** Starts the component manager (again) and waits until it answers on the bus. */
  async startManager(): Promise<void> {
    this.output = '';
    const started = await this.runLichen('component-manager', this.dataDir, (chunk) => (this.output += chunk));
    this.manager = started.child;
  }

  /**
   * Starts a health exporter beside the manager, as `lichen run health-exporter` in a process of its own (its own
   * data folder, the same NATS and Redis), and returns where its metrics are.
   */
  async startExporter(): Promise<{ metricsUrl: string }> {
    const dataDir = join(this.dataDir, 'exporter');
    await mkdir(dataDir, { recursive: true });
    const started = await this.runLichen('health-exporter', dataDir, () => undefined);
    this.exporter = started.child;
    return { metricsUrl: `http://127.0.0.1:${started.port}/metrics` };
  }

  /** `lichen run <service>` on this device's servers, once its /healthz says ready. */
  private async runLichen(
    service: string,
    dataDir: string,
    onOutput: (chunk: string) => void,
  ): Promise<{ child: ChildProcess; port: number }> {
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, [lichen, 'run', service], {
      env: {
        ...processEnvironment(),
        ...fastTimings,
        LICHEN_DEVICE_ID: this.deviceId,
        LICHEN_DATA_DIR: dataDir,
        LICHEN_NATS_URL: this.nats.url,
        LICHEN_REDIS_URL: this.redis.url,
        LICHEN_METRICS_HOST: '127.0.0.1',
        LICHEN_METRICS_PORT: String(port),
        LICHEN_LOG_LEVEL: 'info',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput(chunk.toString());
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`lichen run ${service} exited with ${child.exitCode}: ${output}`);
        return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok;
      },
      { what: `lichen run ${service} to be ready`, timeoutMs: 30_000, intervalMs: 100 },
    );
    return { child, port };
  }

  /** SIGKILL: no drain, no goodbye, as a crash or a power cut of the manager alone. */
  async killManager(): Promise<void> {
    const child = this.manager;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async stopManager(): Promise<void> {
    const child = this.manager;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }

  /** `lichen <args>` against this device, as an operator types it. */
  cli(...args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(process.execPath, [lichen, ...args, '--nats', this.nats.url], { timeout: 120_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  /** Writes a document where `lichen deploy -f` can read it. */
  async writeDocument(document: string): Promise<string> {
    const file = join(this.dataDir, `deployment-${Date.now()}-${Math.random().toString(36).slice(2, 6)}.yaml`);
    await writeFile(file, document);
    return file;
  }

  /** Writes the document to a file and runs `lichen deploy -f` on it. */
  async deploy(document: string): Promise<CliResult> {
    return this.cli('deploy', '-f', await this.writeDocument(document));
  }

  async components(): Promise<ComponentStatus[]> {
    return (await this.bus.request(subjects.component.list, {})).components;
  }

  async component(name: string): Promise<ComponentStatus | undefined> {
    return (await this.components()).find((component) => component.name === name);
  }

  /** Waits until the component is in `state`, and returns its status. */
  async waitForState(name: string, state: string, timeoutMs = 20_000): Promise<ComponentStatus> {
    return waitFor(
      async () => {
        const component = await this.component(name);
        return component && componentStateName(component.state) === state ? component : undefined;
      },
      { what: `${name} to be ${state}`, timeoutMs, intervalMs: 100 },
    );
  }

  /** The states a component went through, in order, from its events. */
  statesOf(name: string): string[] {
    return this.events.filter((event) => event.component === name).map((event) => componentStateName(event.state));
  }

  get logs(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    // Components are left running by design when the manager stops: remove them with an empty deployment.
    if (this.manager?.exitCode === null) {
      await this.deploy(emptyDeployment('teardown')).catch(() => undefined);
    }
    await this.stopManager();
    if (this.exporter?.exitCode === null) {
      const gone = new Promise((resolve) => this.exporter?.once('exit', resolve));
      this.exporter.kill('SIGTERM');
      await gone;
    }
    await this.bus?.close();
    await Promise.all([this.nats?.stop({ removeData: true }), this.redis?.stop({ removeData: true })]);
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

export function emptyDeployment(name: string, revision = 99): string {
  return `apiVersion: lichen.dev/v1\nkind: Deployment\nmetadata: { name: ${name}, revision: ${revision} }\ncomponents: {}\n`;
}
