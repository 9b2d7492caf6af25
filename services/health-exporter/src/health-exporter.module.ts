import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { Bus, BusModule } from '@lichen/bus';
import { lichenVersion } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import { createMetricsRegistry } from '@lichen/metrics';
import { NatsMonitorAdapter } from './adapters/nats-monitor.adapter.js';
import { ProcfsAdapter } from './adapters/procfs.adapter.js';
import { RedisAdapter } from './adapters/redis.adapter.js';
import type { ExporterConfig } from './config.js';
import { ComponentStateBook } from './domain/components/component-state-book.js';
import { HealthMonitor } from './domain/health/health-monitor.js';
import { registerHostMetrics } from './metrics/host.metrics.js';
import { MetricsEndpoint } from './metrics/metrics.endpoint.js';
import { registerRuntimeMetrics } from './metrics/runtime.metrics.js';
import { registerNatsMetrics, registerRedisMetrics } from './metrics/server.metrics.js';
import { CONFIG, LOGGER, REGISTRY } from './tokens.js';
import { HealthController } from './transport/health.controller.js';
import { HeartbeatPublisher } from './transport/heartbeat.publisher.js';

export interface ExporterDependencies {
  config: ExporterConfig;
  logger: Logger;
  bus: Bus;
}

/** Wiring of the health exporter: adapters, the health monitor, the metrics registry, the bus handlers. */
@Module({})
export class HealthExporterModule implements OnApplicationShutdown {
  constructor(@Inject(RedisAdapter) private readonly redis: RedisAdapter) {}

  static register({ config, logger, bus }: ExporterDependencies): DynamicModule {
    return {
      module: HealthExporterModule,
      imports: [BusModule.forBus(bus)],
      controllers: [HealthController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: ComponentStateBook, useValue: new ComponentStateBook() },
        {
          provide: ProcfsAdapter,
          useValue: new ProcfsAdapter({ procRoot: config.procRoot, sysRoot: config.sysRoot, rootfs: config.rootfs }),
        },
        { provide: NatsMonitorAdapter, useValue: new NatsMonitorAdapter(config.natsMonitorUrl, config.probeTimeout) },
        { provide: RedisAdapter, useFactory: () => new RedisAdapter(config.redisUrl, config.probeTimeout, logger) },
        {
          provide: HealthMonitor,
          inject: [ProcfsAdapter, NatsMonitorAdapter, RedisAdapter, ComponentStateBook],
          useFactory: (host: ProcfsAdapter, nats: NatsMonitorAdapter, redis: RedisAdapter, components: ComponentStateBook) =>
            new HealthMonitor(
              {
                host,
                nats,
                redis,
                components,
                busConnected: () => bus.connected,
                runtimeUptimeSeconds: process.uptime,
                now: () => new Date(),
              },
              config.deviceId,
              { lichen: lichenVersion, nodejs: process.versions.node },
            ),
        },
        {
          provide: REGISTRY,
          inject: [ProcfsAdapter, NatsMonitorAdapter, RedisAdapter, ComponentStateBook],
          useFactory: (host: ProcfsAdapter, nats: NatsMonitorAdapter, redis: RedisAdapter, components: ComponentStateBook) => {
            const registry = createMetricsRegistry('health-exporter');
            registerHostMetrics(registry, host);
            registerNatsMetrics(registry, nats);
            registerRedisMetrics(registry, redis);
            registerRuntimeMetrics(registry, { components, busConnected: () => bus.connected, version: lichenVersion });
            return registry;
          },
        },
        MetricsEndpoint,
        HeartbeatPublisher,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}
