import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { Inject, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '@lichen/bus';
import { ConfigError, readEndpoints, readOperatorCredentials } from '@lichen/config';
import { subjects } from '@lichen/contracts';
import { createLogger } from '@lichen/logging';
import { freePort, isListening, processesUnder, startNatsServer, startRedisServer, waitFor } from '@lichen/testing';
import type { BusAuthority } from './bus-users/bus-authority.port.js';
import { defineService } from './service-descriptor.js';
import { startRuntime, type RuntimeHost } from './start-runtime.js';
import { BUS_AUTHORITY } from './tokens.js';

/** A service with one readiness check the test can break, and one slow request handler. */
class Widget {
  problem: string | undefined;
}
const widget = new Widget();

@Injectable()
class SlowResponder implements OnApplicationBootstrap {
  constructor(@Inject(Bus) private readonly bus: Bus) {}

  onApplicationBootstrap(): void {
    this.bus.serve(subjects.health.device, async () => (await sleep(800), { deviceId: 'slow' }), { tokens: ['slow'] });
  }
}

/** The bus authority as the host injects it into a service. */
const injected: { authority?: BusAuthority } = {};

@Module({
  providers: [
    { provide: Widget, useValue: widget },
    SlowResponder,
    { provide: 'authority', useFactory: (authority: BusAuthority) => (injected.authority = authority), inject: [BUS_AUTHORITY] },
  ],
})
class ProbeModule {}

const probe = defineService({
  name: 'probe',
  config: {},
  module: () => ({ module: ProbeModule }),
  readiness: (resolve) => ({ widget: () => resolve(Widget).problem }),
});

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({ write: (chunk, _e, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
  return { lines, destination };
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

/** Holds a port as another program would; a port something already holds (this machine's NATS) is left as is. */
async function holdPort(port: number): Promise<Server | undefined> {
  if (await isListening(port)) return undefined;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('lichen run with its own NATS and Redis', () => {
  let dataDir: string;
  let runtime: RuntimeHost;
  let held: (Server | undefined)[] = [];
  const log = capture();

  beforeAll(async () => {
    held = await Promise.all([holdPort(4222), holdPort(6379)]);
    dataDir = await mkdtemp(join(tmpdir(), 'lichen-host-'));
    await mkdir(join(dataDir, 'service-users'));
    await writeFile(join(dataDir, 'service-users', 'gateway'), 'gateway-secret');
    runtime = await startRuntime({
      services: [probe],
      env: {
        LICHEN_DATA_DIR: dataDir,
        LICHEN_DEVICE_ID: 'host-test',
        LICHEN_METRICS_HOST: '127.0.0.1',
        LICHEN_NATS_SERVICE_USERS_DIR: join(dataDir, 'service-users'),
      },
      logDestination: log.destination,
    });
    await runtime.bus.ready;
  });

  afterAll(async () => {
    await runtime?.stop();
    for (const server of held) server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs NATS with JetStream, monitoring and a server name from the config it wrote', async () => {
    const endpoints = readEndpoints(dataDir)!;
    const varz = JSON.parse((await get(`${endpoints.natsMonitor}/varz`)).text) as {
      server_name: string;
      jetstream?: { config?: { store_dir: string } };
    };
    expect(varz.server_name).toBe('lichen-host-test');
    expect(varz.jetstream?.config?.store_dir).toBe(join(dataDir, 'nats', 'jetstream'));
    expect(existsSync(join(dataDir, 'nats', 'jetstream'))).toBe(true);
    expect(await readFile(join(dataDir, 'nats', 'nats.conf'), 'utf8')).toContain('server_name: "lichen-host-test"');
    expect(runtime.bus.connected).toBe(true);
  });

  it('lets no client on its NATS without a user, and the operator in with the credentials it keeps for the CLI', async () => {
    const endpoints = readEndpoints(dataDir)!;
    await expect(connect({ servers: endpoints.nats, reconnect: false })).rejects.toThrow(/Authorization Violation/);
    expect(await readFile(join(dataDir, 'nats', 'nats.conf'), 'utf8')).toContain('include "users.conf"');
    const file = join(dataDir, 'operator-credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const operator = readOperatorCredentials(dataDir)!;
    expect(operator.user).toBe('operator');
    const caller = Bus.connect({
      servers: endpoints.nats,
      name: 'operator',
      logger: createLogger({ level: 'silent' }),
      auth: { user: operator.user, pass: operator.password },
    });
    try {
      await caller.ready;
      // Answered by the runtime's own connection, which logs in as Lichen's user.
      expect((await caller.request(subjects.health.device, {}, { tokens: ['slow'], timeoutMs: 5_000 })).deviceId).toBe('slow');
    } finally {
      await caller.close();
    }
    expect(JSON.stringify(log.lines)).not.toContain(operator.password.reveal());
  });

  it('lets the service users of LICHEN_NATS_SERVICE_USERS_DIR in, with every subject', async () => {
    const gateway = await connect({ servers: readEndpoints(dataDir)!.nats, user: 'gateway', pass: 'gateway-secret' });
    try {
      const heard = gateway.subscribe('lichen.evt.health', { max: 1 });
      gateway.publish('lichen.evt.health', 'beat');
      for await (const message of heard) expect(message.string()).toBe('beat');
    } finally {
      await gateway.close();
    }
  });

  it('gives services the bus authority, and counts the violations of the users they set in /metrics', async () => {
    const { authority } = injected;
    expect(authority?.enforced).toBe(true);
    await authority!.setUsers('probe', [
      { name: 'gadget', password: 'gadget-secret', permissions: { publish: { allow: ['data.>'] } } },
    ]);
    const gadget = await connect({ servers: readEndpoints(dataDir)!.nats, user: 'gadget', pass: 'gadget-secret' });
    try {
      gadget.publish('lichen.deploy.apply', 'x');
      await gadget.flush();
      await waitFor(
        async () =>
          /^lichen_bus_permission_violations_total\{user="gadget",kind="publish"\} 1$/m.test(
            (await get(`${runtime.metricsUrl}/metrics`)).text,
          ),
        {
          what: 'the violation in /metrics',
        },
      );
      expect(authority!.violations('gadget')).toEqual({ publish: 1, subscribe: 0 });
    } finally {
      await gadget.close();
    }
  });

  it('runs Redis with the append-only file under the data folder', async () => {
    const redis = new Redis(readEndpoints(dataDir)!.redis, { lazyConnect: true });
    await redis.connect();
    const persistence = await redis.info('persistence');
    redis.disconnect();
    expect(persistence).toMatch(/^aof_enabled:1\s*$/m);
    expect(existsSync(join(dataDir, 'redis'))).toBe(true);
  });

  it('moves off a standard port another program holds, saying so in one line, and records where it went', async () => {
    const endpoints = readEndpoints(dataDir)!;
    const said = log.lines.map((line) => line.msg);
    expect(said).toContain(
      `port 4222 is held by another program: Lichen's NATS listens on ${endpoints.nats.slice('nats://'.length)}`,
    );
    expect(said).toContain(
      `port 6379 is held by another program: Lichen's Redis listens on ${endpoints.redis.slice('redis://'.length)}`,
    );
    expect(endpoints.nats).not.toBe('nats://127.0.0.1:4222');
    expect(endpoints).toMatchObject({
      pid: process.pid,
      deviceId: 'host-test',
      services: ['probe'],
      metrics: runtime.metricsUrl,
    });
  });

  it('serves one /metrics for the process, with the bus and each service ready', async () => {
    const { text } = await get(`${runtime.metricsUrl}/metrics`);
    expect(text).toMatch(/^lichen_bus_connected 1$/m);
    expect(text).toMatch(/^lichen_service_ready\{service="probe"\} 1$/m);
    expect(text).toMatch(/^lichen_build_info\{version="[\d.]+",nodejs="[\d.]+"\} 1$/m);
    expect(text).toMatch(/^lichen_process_resident_memory_bytes \d+$/m);
  });

  it('answers /healthz 200 only while every check passes, and 503 naming the one that fails', async () => {
    expect(await get(`${runtime.metricsUrl}/healthz`)).toEqual({ status: 200, text: '{"status":"ok","problems":[]}' });
    widget.problem = 'gear stuck';
    expect(await get(`${runtime.metricsUrl}/healthz`)).toEqual({
      status: 503,
      text: '{"status":"unhealthy","problems":["probe.widget: gear stuck"]}',
    });
    expect((await get(`${runtime.metricsUrl}/metrics`)).text).toMatch(/^lichen_service_ready\{service="probe"\} 0$/m);
    widget.problem = undefined;
    expect((await get(`${runtime.metricsUrl}/healthz`)).status).toBe(200);
  });

  it('names the NATS server in /healthz when it dies, and restarts it', async () => {
    const nats = processesUnder(dataDir).find((found) => found.name === 'nats-server')!;
    process.kill(nats.pid, 'SIGKILL');
    const down = await waitFor(
      async () => {
        const health = await get(`${runtime.metricsUrl}/healthz`);
        return health.status === 503 && health.text;
      },
      { what: '/healthz to report NATS down' },
    );
    expect(down).toMatch(/nats-server: exited \(SIGKILL\); restarting/);
    expect(down).toMatch(/bus: not connected to NATS at nats:\/\/127\.0\.0\.1:\d+/);
    await waitFor(async () => (await get(`${runtime.metricsUrl}/healthz`)).status === 200, {
      what: 'NATS back and the bus reconnected',
      timeoutMs: 20_000,
    });
  });
});

describe('lichen run on servers of the operator', () => {
  it('stops, in one line, on a NATS without JetStream', async () => {
    const { runtime, stop } = await onOperatorServers({ jetstream: false, aof: true });
    try {
      await expect(runtime.fatal).rejects.toThrow(
        /runs without JetStream, which Lichen's spool and durable routes need: start it with -js/,
      );
    } finally {
      await stop();
    }
  });

  it('warns about a Redis without the append-only file and a NATS without monitoring, and runs', async () => {
    const { runtime, log, dataDir, stop } = await onOperatorServers(
      { jetstream: true, aof: false },
      { LICHEN_NATS_MONITOR_URL: `http://127.0.0.1:${await freePort()}` },
    );
    try {
      const warnings = await waitFor(
        () => {
          const found = log.lines.filter((line) => line.level === 'warn').map((line) => String(line.msg));
          return found.length >= 2 && found;
        },
        { what: 'two warnings' },
      );
      expect(warnings.join('\n')).toMatch(/keeps no append-only file: device state may be lost in a crash or power cut/);
      expect(warnings.join('\n')).toMatch(/no NATS monitoring endpoint: NATS server metrics are unavailable/);
      expect((await get(`${runtime.metricsUrl}/healthz`)).status).toBe(200);
      expect(existsSync(join(dataDir, 'nats'))).toBe(false);
    } finally {
      await stop();
    }
  });

  it('reports every bad variable at once and starts nothing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lichen-host-'));
    const failure = await startRuntime({
      services: [probe],
      env: { LICHEN_DATA_DIR: dataDir, LICHEN_METRICS_PORT: 'x', LICHEN_NATS_URL: 'http://nats' },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toHaveLength(2);
    expect(existsSync(join(dataDir, 'nats'))).toBe(false);
    await rm(dataDir, { recursive: true });
  });
});

describe('the data folder', () => {
  it('is refused to a second run while the first runs, and taken over from one that died', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lichen-host-'));
    const first = await startRuntime({ services: [probe], env: ownServersIn(dataDir), logDestination: capture().destination });
    try {
      const second = await startRuntime({ services: [probe], env: ownServersIn(dataDir) }).catch((error: unknown) => error);
      expect(second).toMatchObject({
        code: 'DATA_DIR_IN_USE',
        message: expect.stringMatching(/^Lichen already runs from .* \(pid \d+\)/),
      });
    } finally {
      await first.stop();
    }
    // A lock left by a run that died, whose pid now belongs to another program (pid 1, started long before).
    await writeFile(join(dataDir, 'lichen.lock'), JSON.stringify({ pid: 1, startTime: 1 }));
    const log = capture();
    const third = await startRuntime({ services: [probe], env: ownServersIn(dataDir), logDestination: log.destination });
    await third.stop();
    expect(log.lines.map((line) => line.msg)).toContain('taking over the data folder of a run that ended without stopping');
    expect(existsSync(join(dataDir, 'lichen.lock'))).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is left as it was found when a server cannot start: nothing running, no lock', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lichen-host-'));
    const failure = await startRuntime({
      services: [probe],
      env: { ...ownServersIn(dataDir), LICHEN_REDIS_SERVER_BIN: '/bin/false' },
      logDestination: capture().destination,
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({
      code: 'SERVER_FAILED',
      message: expect.stringMatching(/^redis-server exited at start \(code 1\)/),
    });
    expect(processesUnder(dataDir)).toEqual([]);
    expect(existsSync(join(dataDir, 'lichen.lock'))).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('stopping', () => {
  it('answers a request in flight before the services stop', async () => {
    const { runtime, nats, stop } = await onOperatorServers({ jetstream: true, aof: true });
    const caller = Bus.connect({ servers: nats.url, name: 'caller', logger: createLogger({ level: 'silent' }) });
    try {
      await Promise.all([runtime.bus.ready, caller.ready]);
      await runtime.bus.connection?.flush();
      const reply = caller.request(subjects.health.device, {}, { tokens: ['slow'], timeoutMs: 5_000 });
      await sleep(100); // the 800 ms handler is running
      expect(await runtime.stop()).toBe(true);
      expect((await reply).deviceId).toBe('slow');
    } finally {
      await caller.close();
      await stop();
    }
  });
});

function ownServersIn(dataDir: string): Record<string, string> {
  return { LICHEN_DATA_DIR: dataDir, LICHEN_METRICS_HOST: '127.0.0.1' };
}

/** A runtime on a NATS and a Redis of the operator's (started here, as asked), and how to stop all of it. */
async function onOperatorServers(servers: { jetstream: boolean; aof: boolean }, env: Record<string, string> = {}) {
  const [nats, redis, dataDir] = await Promise.all([
    startNatsServer({ jetstream: servers.jetstream }),
    startRedisServer({ aof: servers.aof }),
    mkdtemp(join(tmpdir(), 'lichen-host-')),
  ]);
  const log = capture();
  const runtime = await startRuntime({
    services: [probe],
    env: {
      LICHEN_DATA_DIR: dataDir,
      LICHEN_NATS_URL: nats.url,
      LICHEN_REDIS_URL: redis.url,
      LICHEN_METRICS_PORT: String(await freePort()),
      ...env,
    },
    logDestination: log.destination,
  });
  const stop = async () => {
    await runtime.stop();
    await Promise.all([nats.stop({ removeData: true }), redis.stop({ removeData: true }), rm(dataDir, { recursive: true })]);
  };
  return { runtime, nats, dataDir, log, stop };
}
