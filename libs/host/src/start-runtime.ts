import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { Bus, BusExceptionFilter, BusServer } from '@lichen/bus';
import { removeEndpoints, writeEndpoints } from '@lichen/config';
import { createLogger, NestLogger } from '@lichen/logging';
import { createMetricsRegistry, MetricsServer, type HealthCheck } from '@lichen/metrics';
import { checkExternalNats } from './checks/nats-requirements.js';
import { checkExternalRedis } from './checks/redis-requirements.js';
import { RuntimeModule } from './host.module.js';
import { natsCredentials } from './nats-credentials.js';
import { loadRuntimeConfig } from './runtime-config.js';
import { registerRuntimeMetrics } from './runtime.metrics.js';
import { settleServers } from './servers/device-servers.js';
import { pickPort } from './servers/port-picker.js';
import { takeOverDataDir } from './servers/previous-run.js';
import type { HostSettings, ServiceDescriptor } from './service-descriptor.js';

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
  /** Stops taking messages, lets handlers in flight reply, stops the services, then the servers Lichen started. */
  stop(): Promise<void>;
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
  const dataDir = resolve(options.cwd ?? process.cwd(), host.dataDir);
  mkdirSync(dataDir, { recursive: true });
  await takeOverDataDir(dataDir, log);

  const undo: (() => Promise<unknown>)[] = [];
  const unwind = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch((error) => log.error({ err: error }, 'stopping failed'));
  };
  try {
    const servers = await settleServers(host, dataDir, log);
    undo.push(() => servers.stop());
    const settings: HostSettings = {
      deviceId: host.deviceId,
      dataDir,
      natsUrl: servers.natsUrl,
      natsMonitorUrl: servers.natsMonitorUrl,
      redisUrl: servers.redisUrl,
    };

    const bus = Bus.connect({
      servers: settings.natsUrl,
      name: `lichen:${host.deviceId}`,
      logger: log,
      ...natsCredentials(host),
    });
    undo.push(() => bus.close());
    const registry = createMetricsRegistry();
    const modules = config.services.map(({ descriptor, config: own }) =>
      descriptor.module({
        name: descriptor.name,
        config: own,
        host: settings,
        logger: logger.child({ service: descriptor.name }),
      }),
    );
    const app: INestMicroservice = await NestFactory.createMicroservice(RuntimeModule.register(bus, registry, modules), {
      strategy: new BusServer(bus),
      logger: new NestLogger(log),
      abortOnError: false,
    });
    app.useGlobalFilters(new BusExceptionFilter());
    await app.listen();
    undo.push(() => app.close());
    // Runs before the line above when stopping: no new messages, and every handler in flight replies first.
    undo.push(() => bus.stopServing());

    const readiness = new Map(
      options.services.map((descriptor) => [
        descriptor.name,
        descriptor.readiness?.((token) => app.get(token, { strict: false })) ?? {},
      ]),
    );
    registerRuntimeMetrics(registry, { busConnected: () => bus.connected, services: readiness });
    const metricsPort = host.metricsPort ?? (await metricsPortFor(host.metricsHost, log));
    const metrics = new MetricsServer({
      registry,
      host: host.metricsHost,
      port: metricsPort,
      logger: log,
      checks: healthChecks(bus, settings.natsUrl, servers.own, readiness),
    });
    const port = await metrics.start();
    undo.push(() => metrics.stop());
    const metricsUrl = `http://${host.metricsHost === '0.0.0.0' ? '127.0.0.1' : host.metricsHost}:${port}`;

    writeEndpoints(dataDir, {
      pid: process.pid,
      deviceId: host.deviceId,
      services: options.services.map((descriptor) => descriptor.name),
      nats: settings.natsUrl,
      natsMonitor: settings.natsMonitorUrl,
      redis: settings.redisUrl,
      metrics: metricsUrl,
      ownServers: Object.fromEntries([...servers.own].map(([name, server]) => [name, server.pid ?? 0])),
    });
    undo.push(async () => removeEndpoints(dataDir));

    const fatal = host.natsUrl
      ? checkExternalNats(bus, settings.natsMonitorUrl, log).then(() => new Promise<never>(() => undefined))
      : new Promise<never>(() => undefined);
    fatal.catch(() => undefined);
    if (host.redisUrl) void checkExternalRedis(host.redisUrl, log);

    const services = options.services.map((descriptor) => descriptor.name);
    log.info(
      {
        device: host.deviceId,
        services,
        metrics: metricsUrl,
        nats: settings.natsUrl,
        redis: redactUrl(settings.redisUrl),
        dataDir,
      },
      `lichen running ${services.join(', ') || 'no services'}`,
    );

    let stopped: Promise<void> | undefined;
    return {
      settings,
      services,
      metricsUrl,
      bus,
      fatal,
      stop: () =>
        (stopped ??= withDeadline(unwind(), host.shutdownTimeout, () => log.warn('stopping took too long; leaving the rest'))),
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

function healthChecks(
  bus: Bus,
  natsUrl: string,
  own: ReadonlyMap<string, { problem(): string | undefined }>,
  services: ReadonlyMap<string, Record<string, HealthCheck>>,
): Record<string, HealthCheck> {
  const checks: Record<string, HealthCheck> = {
    bus: () => (bus.connected ? undefined : `not connected to NATS at ${redactUrl(natsUrl)}`),
  };
  for (const [name, server] of own) checks[name] = () => server.problem();
  for (const [service, serviceChecks] of services) {
    for (const [name, check] of Object.entries(serviceChecks)) checks[`${service}.${name}`] = check;
  }
  return checks;
}

async function metricsPortFor(host: string, log: { warn(message: string): void }): Promise<number> {
  const { port, displaced } = await pickPort(9100, host);
  if (displaced) log.warn(`port 9100 is held by another program: Lichen serves /metrics and /healthz on ${host}:${port}`);
  return port;
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = 'redacted';
  if (parsed.username) parsed.username = 'redacted';
  return parsed.toString().replace(/\/$/, '');
}

async function withDeadline(work: Promise<void>, ms: number, onLate: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => (onLate(), resolve()), ms);
  });
  await Promise.race([work, late]);
  clearTimeout(timer);
}
