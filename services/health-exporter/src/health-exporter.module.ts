import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Bus } from '@lichen/bus';
import { lichenVersion } from '@lichen/contracts';
import { METRICS_REGISTRY, type ServiceContext } from '@lichen/host';
import { NatsMonitorAdapter } from './adapters/nats-monitor.adapter.js';
import { ProcfsAdapter } from './adapters/procfs.adapter.js';
import { RedisAdapter } from './adapters/redis.adapter.js';
import type { ExporterConfig } from './config.js';
import { ComponentStateBook } from './domain/components/component-state-book.js';
import { HealthMonitor } from './domain/health/health-monitor.js';
import { registerComponentMetrics } from './metrics/component.metrics.js';
import { registerHostMetrics } from './metrics/host.metrics.js';
import { registerNatsMetrics, registerRedisMetrics } from './metrics/server.metrics.js';
import { CONFIG, DEVICE_ID, LOGGER } from './tokens.js';
import { ComponentSeed } from './transport/component-seed.js';
import { ComponentStateController } from './transport/component-state.controller.js';
import { HealthResponder } from './transport/health.responder.js';
import { HeartbeatPublisher } from './transport/heartbeat.publisher.js';

/** Wiring of the health exporter: adapters, the health monitor, its metrics in the process registry, the bus handlers. */
@Module({})
export class HealthExporterModule implements OnApplicationShutdown {
  constructor(@Inject(RedisAdapter) private readonly redis: RedisAdapter) {}

  static register({ config, host, logger }: ServiceContext<ExporterConfig>): DynamicModule {
    return {
      module: HealthExporterModule,
      controllers: [ComponentStateController],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: DEVICE_ID, useValue: host.deviceId },
        { provide: ComponentStateBook, useValue: new ComponentStateBook() },
        {
          provide: ProcfsAdapter,
          useValue: new ProcfsAdapter({ procRoot: config.procRoot, sysRoot: config.sysRoot, rootfs: config.rootfs }),
        },
        { provide: NatsMonitorAdapter, useValue: new NatsMonitorAdapter(host.natsMonitorUrl, config.probeTimeout) },
        { provide: RedisAdapter, useFactory: () => new RedisAdapter(host.redisUrl, config.probeTimeout, logger) },
        {
          provide: HealthMonitor,
          inject: [ProcfsAdapter, NatsMonitorAdapter, RedisAdapter, ComponentStateBook, Bus, METRICS_REGISTRY],
          useFactory: (
            procfs: ProcfsAdapter,
            nats: NatsMonitorAdapter,
            redis: RedisAdapter,
            components: ComponentStateBook,
            bus: Bus,
            registry: Registry,
          ) => {
            registerHostMetrics(registry, procfs);
            registerNatsMetrics(registry, nats);
            registerRedisMetrics(registry, redis);
            registerComponentMetrics(registry, components);
            return new HealthMonitor(
              {
                host: procfs,
                nats,
                redis,
                components,
                busConnected: () => bus.connected,
                runtimeUptimeSeconds: process.uptime,
                now: () => new Date(),
              },
              host.deviceId,
              { lichen: lichenVersion, nodejs: process.versions.node },
            );
          },
        },
        HeartbeatPublisher,
        HealthResponder,
        ComponentSeed,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.close();
  }
}
