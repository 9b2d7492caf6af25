import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Bus, redactServer } from '@lichen/bus';
import { BusExceptionFilter, BusServer } from '@lichen/bus/nest';
import { removeEndpoints, writeEndpoints } from '@lichen/config';
import { createLogger, NestLogger } from '@lichen/logging';
import { createMetricsRegistry, MetricsServer } from '@lichen/metrics';
import { registerViolationMetric } from './bus-users/violation.metrics.js';
import { checkExternalNats } from './checks/nats-requirements.js';
import { checkExternalRedis } from './checks/redis-requirements.js';
import { lockDataDir } from './data-dir/data-dir-lock.js';
import { RuntimeModule } from './host.module.js';
import { natsCredentials } from './nats-credentials.js';
import { Readiness } from './readiness.js';
import { loadRuntimeConfig } from './runtime-config.js';
import { registerRuntimeMetrics } from './runtime.metrics.js';
import { settleServers, type DeviceServers } from './servers/device-servers.js';
import { pickPort } from './servers/port-picker.js';
import type { HostSettings, ServiceDescriptor } from './service-descriptor.js';
import { Teardown } from './teardown.js';

export interface RuntimeOptions {
  services: readonly ServiceDescriptor[];
  /** The environment to read `LICHEN_*` variables from; the process's by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where a relative LICHEN_DATA_DIR is resolved from; the working directory by default. */
  cwd?: string;
  /** Where log lines go; standard output by default. */
  logDestination?: NodeJS.WritableStream;
}

/** A running Lichen process. */
export interface RuntimeHost {
  readonly settings: HostSettings;
  readonly services: readonly string[];
  readonly metricsUrl: string;
  readonly bus: Bus;
  /** Rejects when something Lichen cannot work without turns out missing after start (a NATS without JetStream). */
  readonly fatal: Promise<never>;
  /**
   * Stops taking messages, lets handlers in flight reply, stops the services (all within LICHEN_SHUTDOWN_TIMEOUT),
   * then, whatever happened before, the servers Lichen runs itself. Resolves false when the services overran.
   */
  stop(): Promise<boolean>;
}

/**
 * Boots the given services in this one process: one NATS connection, one metrics registry and one
 * `/metrics` + `/healthz` server, one logger; and, unless the environment names them, the device's own NATS and
 * Redis. Every problem with the environment is reported at once, before anything starts.
 */
export async function startRuntime(options: RuntimeOptions): Promise<RuntimeHost> {
  const config = loadRuntimeConfig(options.services, options.env);
  const { host } = config;
  const logger = createLogger({ level: host.logLevel, destination: options.logDestination });
  const log = logger.child({ service: 'lichen' });
  const wanted = resolve(options.cwd ?? process.cwd(), host.dataDir);
  mkdirSync(wanted, { recursive: true });
  const lock = await lockDataDir(wanted, log);
  const dataDir = lock.dir;

  const teardown = new Teardown(log);
  let servers: DeviceServers | undefined;
  // The services within the deadline; Lichen's own servers and the lock after them, always.
  const stopEverything = async () => {
    const inTime = await teardown.run(host.shutdownTimeout);
    await servers?.stop();
    lock.release();
    return inTime;
  };
  try {
    servers = await settleServers(host, dataDir, log);
    const settings: HostSettings = {
      deviceId: host.deviceId,
      dataDir,
      natsUrl: servers.natsUrl,
      natsMonitorUrl: servers.natsMonitorUrl,
      redisUrl: servers.redisUrl,
      spool: { maxBytes: host.spoolMaxBytes, maxAgeMs: host.spoolMaxAge },
    };
    const services = config.services.map(({ descriptor }) => descriptor.name);

    const bus = Bus.connect({
      servers: settings.natsUrl,
      name: `lichen:${host.deviceId}`,
      logger: log,
      // As its `lichen` user where Lichen manages the users; otherwise as the variables say. TLS as they say.
      ...natsCredentials(host),
      ...(servers.natsLogin && { auth: servers.natsLogin }),
    });
    teardown.add(() => bus.close());
    const registry = createMetricsRegistry();
    const modules = config.services.map(({ descriptor, config: own }) =>
      descriptor.module({
        name: descriptor.name,
        config: own,
        host: settings,
        logger: logger.child({ service: descriptor.name }),
      }),
    );
    const shared = { bus, registry, busAuthority: servers.busAuthority };
    const app: INestMicroservice = await NestFactory.createMicroservice(RuntimeModule.register(shared, modules), {
      strategy: new BusServer(bus),
      logger: new NestLogger(log),
      abortOnError: false,
    });
    // Before listen(): the services' init and bootstrap hooks run inside it, and must be undone if it fails.
    teardown.add(() => app.close());
    app.useGlobalFilters(new BusExceptionFilter());
    await app.listen();
    // Runs before app.close() when stopping: no new messages, and every handler in flight replies first, within
    // part of the deadline so that the services still get to close.
    teardown.add(() => bus.stopServing({ timeoutMs: host.shutdownTimeout * 0.6 }));

    const readiness = new Readiness(
      bus,
      settings.natsUrl,
      servers.own,
      new Map(
        config.services.map(({ descriptor }) => [
          descriptor.name,
          descriptor.readiness?.((token) => app.get(token, { strict: false })) ?? {},
        ]),
      ),
    );
    registerRuntimeMetrics(registry, { busConnected: () => bus.connected, readiness });
    if (servers.violations) registerViolationMetric(registry, servers.violations);
    const metrics = new MetricsServer({
      registry,
      host: host.metricsHost,
      port: host.metricsPort ?? (await metricsPortFor(host.metricsHost, log)),
      logger: log,
      checks: readiness.checks,
    });
    const port = await metrics.start();
    teardown.add(() => metrics.stop());
    const metricsUrl = `http://${host.metricsHost === '0.0.0.0' ? '127.0.0.1' : host.metricsHost}:${port}`;

    writeEndpoints(dataDir, {
      pid: process.pid,
      deviceId: host.deviceId,
      services,
      nats: redactServer(settings.natsUrl),
      natsMonitor: settings.natsMonitorUrl,
      redis: redactServer(settings.redisUrl),
      metrics: metricsUrl,
      ...(servers.mqttUrl ? { mqtt: servers.mqttUrl } : {}),
    });
    teardown.add(async () => removeEndpoints(dataDir));

    const fatal = host.natsUrl ? checkExternalNats(bus, settings.natsMonitorUrl, log).then(forever) : forever();
    fatal.catch(() => undefined);
    if (host.redisUrl) void checkExternalRedis(host.redisUrl, log);

    log.info(
      {
        device: host.deviceId,
        services,
        metrics: metricsUrl,
        nats: redactServer(settings.natsUrl),
        redis: redactServer(settings.redisUrl),
        ...(servers.mqttUrl ? { mqtt: servers.mqttUrl } : {}),
        dataDir,
      },
      `lichen running ${services.join(', ') || 'no services'}`,
    );
    let stopped: Promise<boolean> | undefined;
    return { settings, services, metricsUrl, bus, fatal, stop: () => (stopped ??= stopEverything()) };
  } catch (error) {
    await stopEverything();
    throw error;
  }
}

function forever(): Promise<never> {
  return new Promise<never>(() => undefined);
}

async function metricsPortFor(host: string, log: { warn(message: string): void }): Promise<number> {
  const { port, displaced } = await pickPort(9100, host);
  if (displaced) log.warn(`port 9100 is held by another program: Lichen serves /metrics and /healthz on ${host}:${port}`);
  return port;
}
