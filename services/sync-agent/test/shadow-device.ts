import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headers } from '@nats-io/transport-node';
import { Bus, BusError } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { startNatsServer, startRedisServer, type TestNatsServer, type TestRedisServer } from '@lichen/testing';
import { lichenCommand, LichenProcess, type CliResult } from './lichen-process.js';

const quiet = createLogger({ service: 'shadows-e2e', level: 'silent' });

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
  private runtime: LichenProcess | undefined;

  async start(): Promise<void> {
    [this.nats, this.redis] = await Promise.all([startNatsServer({ jetstream: true }), startRedisServer({ aof: true })]);
    this.dataDir = await mkdtemp(join(tmpdir(), 'lichen-shadows-e2e-'));
    this.bus = Bus.connect({ servers: this.nats.url, name: 'shadows-e2e', logger: quiet });
    await this.bus.ready;
    await this.startAgent();
  }

  /** Starts the sync agent (again) and waits until it answers shadow requests. */
  async startAgent(): Promise<void> {
    this.runtime = await LichenProcess.start({
      services: ['sync-agent'],
      deviceId: 'shadows-e2e',
      dataDir: this.dataDir,
      natsUrl: this.nats.url,
      redisUrl: this.redis.url,
      ready: {
        what: 'answer shadow requests',
        // Any answer, a 404 included, says the shadow handlers are up.
        check: () =>
          this.bus
            .request(subjects.shadow.get, {}, { tokens: ['ready-probe', 'probe'], timeoutMs: 1_000 })
            .then(() => true)
            .catch((error: unknown) => error instanceof BusError && error.code === 'BUS_ERROR_REPLY'),
      },
    });
  }

  /** Stops the sync agent: SIGKILL (a crash) or SIGTERM. */
  async stopAgent(signal: 'SIGKILL' | 'SIGTERM' = 'SIGTERM'): Promise<void> {
    await this.runtime?.stop(signal);
  }

  /** `lichen shadow <args>` against this device. */
  shadow(...args: string[]): Promise<CliResult> {
    return lichenCommand('shadow', ...args, '--nats', this.nats.url);
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

  /** What the agent printed since it last started. */
  get log(): string {
    return this.runtime?.output ?? '';
  }

  async stop(): Promise<void> {
    await this.stopAgent();
    await this.bus?.close();
    await Promise.all([this.nats?.stop({ removeData: true }), this.redis?.stop({ removeData: true })]);
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}
