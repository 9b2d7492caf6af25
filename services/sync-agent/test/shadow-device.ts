import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { headers } from '@nats-io/transport-node';
import { Bus, BusError } from '@lichen/bus';
import { processEnvironment } from '@lichen/config';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { freePort, startNatsServer, startRedisServer, waitFor, type TestNatsServer, type TestRedisServer } from '@lichen/testing';

const lichen = fileURLToPath(new URL('../../../libs/cli/bin/lichen.js', import.meta.url));
const quiet = createLogger({ service: 'shadows-e2e', level: 'silent' });

/** What a command printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A reply as a plain NATS client sees it: the body as text and the error headers. */
export interface RawReply {
  status?: string;
  error?: string;
  text: string;
}

/**
 * A device for shadow tests: its own NATS and Redis (append-only file on, as Lichen runs its own), `lichen run
 * sync-agent` as a child process without a cloud, the `lichen` command, and a client on the bus.
 */
export class ShadowDevice {
  bus!: Bus;
  nats!: TestNatsServer;
  redis!: TestRedisServer;
  private dataDir!: string;
  private runtime: ChildProcess | undefined;
  private output = '';

  async start(): Promise<void> {
    [this.nats, this.redis] = await Promise.all([startNatsServer({ jetstream: true }), startRedisServer({ aof: true })]);
    this.dataDir = await mkdtemp(join(tmpdir(), 'lichen-shadows-e2e-'));
    this.bus = Bus.connect({ servers: this.nats.url, name: 'shadows-e2e', logger: quiet });
    await this.bus.ready;
    await this.startAgent();
  }

  /** Starts the sync agent (again) and waits until it answers shadow requests. */
  async startAgent(): Promise<void> {
    const port = await freePort();
    this.output = '';
    const child = spawn(process.execPath, [lichen, 'run', 'sync-agent'], {
      env: {
        ...processEnvironment(),
        LICHEN_DEVICE_ID: 'shadows-e2e',
        LICHEN_DATA_DIR: this.dataDir,
        LICHEN_NATS_URL: this.nats.url,
        LICHEN_REDIS_URL: this.redis.url,
        LICHEN_METRICS_HOST: '127.0.0.1',
        LICHEN_METRICS_PORT: String(port),
        LICHEN_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.runtime = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`lichen run exited with ${child.exitCode}: ${this.output}`);
        if (!(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) return false;
        // Any answer, a 404 included, says the shadow handlers are up.
        const answered = await this.bus
          .request(subjects.shadow.get, {}, { tokens: ['ready-probe', 'probe'], timeoutMs: 1_000 })
          .then(() => true)
          .catch((error: unknown) => error instanceof BusError && error.code === 'BUS_ERROR_REPLY');
        return answered;
      },
      { what: 'lichen run sync-agent to answer shadow requests', timeoutMs: 45_000, intervalMs: 200 },
    );
  }

  /** Stops the sync agent: SIGKILL (a crash) or SIGTERM. */
  async stopAgent(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    const child = this.runtime;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await gone;
  }

  /** `lichen shadow <args>` against this device. */
  shadow(...args: string[]): Promise<CliResult> {
    return new Promise((resolve) =>
      execFile(process.execPath, [lichen, 'shadow', ...args, '--nats', this.nats.url], (error, stdout, stderr) =>
        resolve({ code: (error as { code?: number } | null)?.code ?? 0, stdout, stderr }),
      ),
    );
  }

  /** A request in JSON, as any NATS client in any language sends it. */
  async requestJson(subject: string, body: string): Promise<RawReply> {
    const sent = headers();
    sent.set('Content-Type', 'application/json');
    const connection = this.bus.connection;
    if (!connection) throw new Error('the test client is not connected');
    const reply = await connection.request(subject, new TextEncoder().encode(body), { headers: sent, timeout: 5_000 });
    return {
      status: reply.headers?.get('Nats-Service-Error-Code') || undefined,
      error: reply.headers?.get('Nats-Service-Error') || undefined,
      text: new TextDecoder().decode(reply.data),
    };
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    await this.stopAgent();
    await this.bus?.close();
    await Promise.all([this.nats?.stop({ removeData: true }), this.redis?.stop({ removeData: true })]);
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
