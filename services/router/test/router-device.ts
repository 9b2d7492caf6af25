import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bus } from '@lichen/bus';
import { processEnvironment } from '@lichen/config';
import { DeploymentPhase, subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, startRedisServer, waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';

const lichen = fileURLToPath(new URL('../../../libs/cli/bin/lichen.js', import.meta.url));
const quiet = createLogger({ service: 'router-e2e', level: 'silent' });

/** A received message, as a test compares it. */
export interface Received {
  subject: string;
  text: string;
}

/**
 * A device for router tests: its own NATS (JetStream) and Redis, and `lichen run router component-manager` as a
 * child process, so routes come from real deployments; plus a client on the bus to publish and listen.
 */
export class RouterDevice {
  readonly deviceId = `router-e2e-${Math.random().toString(36).slice(2, 8)}`;
  bus!: Bus;
  nats!: TestNatsServer;
  metricsUrl = '';
  private redis!: TestRedisServer;
  private dataDir!: string;
  private runtime: ChildProcess | undefined;
  private output = '';

  async start(): Promise<void> {
    [this.nats, this.redis] = await Promise.all([startNatsServer({ jetstream: true }), startRedisServer()]);
    this.dataDir = await mkdtemp(join(tmpdir(), 'lichen-router-e2e-'));
    this.bus = Bus.connect({ servers: this.nats.url, name: 'router-e2e', logger: quiet });
    await this.bus.ready;
    await this.startRuntime();
  }

  /** Starts Lichen (again) and waits until it is ready and the router has taken the desired deployment's routes. */
  async startRuntime(): Promise<void> {
    const port = await freePort();
    this.output = '';
    const child = spawn(process.execPath, [lichen, 'run', 'router', 'component-manager'], {
      env: {
        ...processEnvironment(),
        LICHEN_DEVICE_ID: this.deviceId,
        LICHEN_DATA_DIR: this.dataDir,
        LICHEN_NATS_URL: this.nats.url,
        LICHEN_REDIS_URL: this.redis.url,
        LICHEN_METRICS_HOST: '127.0.0.1',
        LICHEN_METRICS_PORT: String(port),
        LICHEN_RUNTIMES: 'process',
        LICHEN_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.runtime = child;
    this.metricsUrl = `http://127.0.0.1:${port}/metrics`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`lichen run exited with ${child.exitCode}: ${this.output}`);
        return (
          (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok && this.output.includes('routes in force')
        );
      },
      { what: 'lichen run router component-manager to be ready', timeoutMs: 30_000, intervalMs: 100 },
    );
  }

  /** Stops Lichen: SIGKILL (a crash) or SIGTERM. */
  async stopRuntime(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const child = this.runtime;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await gone;
  }

  /** Applies a deployment document (YAML) and waits until it succeeded and the router runs its routes. */
  async deploy(document: string): Promise<string> {
    const seen = this.output.length;
    const queued = await this.bus.request(subjects.deploy.apply, { source: { case: 'document', value: document } });
    await waitFor(
      async () => {
        const status = await this.bus.request(subjects.deploy.status, { id: queued.id });
        if (status.phase > DeploymentPhase.SUCCEEDED) throw new Error(`deployment ${queued.id} failed: ${status.reason}`);
        return status.phase === DeploymentPhase.SUCCEEDED && this.output.slice(seen).includes('routes in force');
      },
      { what: `deployment ${queued.id} with its routes in force`, timeoutMs: 30_000, intervalMs: 50 },
    );
    return queued.id;
  }

  /** Collects what arrives on a subject filter; resolves once the server has the subscription. */
  async listen(filter: string): Promise<Received[]> {
    const received: Received[] = [];
    this.bus.subscribeRaw(
      filter,
      (data, meta) => void received.push({ subject: meta.subject, text: new TextDecoder().decode(data) }),
    );
    await this.bus.flush();
    return received;
  }

  publish(subject: string, body: string | Uint8Array): void {
    this.bus.publishRaw(subject, typeof body === 'string' ? new TextEncoder().encode(body) : body);
  }

  async routeCounters(name: string) {
    const list = await this.bus.request(subjects.routes.list, {});
    return list.routes.find(({ route }) => route?.name === name)?.counters;
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    await this.stopRuntime();
    await this.bus?.close();
    await Promise.all([this.nats?.stop({ removeData: true }), this.redis?.stop({ removeData: true })]);
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** A deployment with routes and no components. */
export function routesDocument(revision: number, routes: string): string {
  return `apiVersion: lichen.dev/v1\nkind: Deployment\nmetadata: { name: routes, revision: ${revision} }\nroutes:\n${routes}`;
}
