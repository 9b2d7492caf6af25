import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Bus } from '@lichen/bus';
import { BUS_AUTHORITY, type BusAuthority, type ServiceContext } from '@lichen/host';
import { busSecret } from './adapters/bus-secret.js';
import { busUsersOf } from './adapters/bus-users.adapter.js';
import { RedisAdapter } from './adapters/redis.adapter.js';
import { TcpProbe } from './adapters/tcp.probe.js';
import { componentRuntimes } from './component-runtimes.js';
import type { ManagerConfig } from './config.js';
import { documentValidator } from './document-validator.js';
import { ComponentBook } from './domain/component/component-book.js';
import { assembleComponentManager, type ComponentManager, type ComponentManagerSettings } from './domain/component-manager.js';
import { DeploymentCoordinator } from './domain/deployment/deployment-coordinator.js';
import { RuntimeSet } from './domain/runtime/runtime-set.js';
import { ComponentSupervisor } from './domain/supervision/component-supervisor.js';
import { BusReporter } from './transport/bus.reporter.js';
import { ComponentResponder } from './transport/component.responder.js';
import { DeploymentResponder } from './transport/deployment.responder.js';

/** The assembled domain (book, supervisor, coordinator), one object the providers below take apart. */
const COMPONENT_MANAGER = Symbol('component manager');

/** Wiring of the component manager: runtimes, Redis, the supervisor and the coordinator, the bus handlers. */
@Module({})
export class ComponentManagerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(DeploymentCoordinator) private readonly coordinator: DeploymentCoordinator,
    @Inject(ComponentSupervisor) private readonly supervisor: ComponentSupervisor,
    @Inject(RuntimeSet) private readonly runtimes: RuntimeSet,
    @Inject(RedisAdapter) private readonly redis: RedisAdapter,
  ) {}

  static register({ config, host, logger }: ServiceContext<ManagerConfig>): DynamicModule {
    const log = (event: string, fields: Record<string, unknown>) => logger.info(fields, event);
    const settings: ComponentManagerSettings = {
      restart: {
        backoffBaseMs: config.restartBackoffBase,
        backoffMaxMs: config.restartBackoffMax,
        maxErrors: config.restartMaxErrors,
        errorWindowMs: config.restartErrorWindow,
        resetAfterMs: config.restartResetAfter,
      },
      supervisor: {
        settleMs: config.healthSettle,
        startTimeoutMs: config.startTimeout,
        pullTimeoutMs: config.pullTimeout,
        stopMarginMs: 5_000,
      },
      reconcileIntervalMs: config.reconcileInterval,
      historyLimit: config.historyLimit,
    };
    const assemble = (bus: Bus, runtimes: RuntimeSet, redis: RedisAdapter, authority: BusAuthority): ComponentManager => {
      const reporter = new BusReporter(bus, logger);
      return assembleComponentManager(
        {
          runtimes,
          store: redis,
          probe: new TcpProbe(),
          validate: documentValidator({ dockerAvailable: () => runtimes.has('docker') }),
          launchEnv: (spec) => ({
            LICHEN_NATS_URL: config.componentNatsUrl ?? host.natsUrl,
            LICHEN_DEVICE_ID: host.deviceId,
            LICHEN_COMPONENT: spec.name,
          }),
          busUsers: busUsersOf(authority),
          derivePassword: busSecret(host.dataDir),
          publishTransition: (transition) => reporter.transition(transition),
          publishDeployment: (record) => reporter.deployment(record),
          publishDesired: (desired) => reporter.desired(desired),
          publishConfig: (spec, deployment) => reporter.config(spec, deployment),
          log,
        },
        settings,
      );
    };
    return {
      module: ComponentManagerModule,
      providers: [
        { provide: RuntimeSet, useFactory: () => componentRuntimes(config, host, logger) },
        { provide: RedisAdapter, useFactory: () => new RedisAdapter(host.redisUrl, host.deviceId, config.historyLimit, logger) },
        { provide: COMPONENT_MANAGER, inject: [Bus, RuntimeSet, RedisAdapter, BUS_AUTHORITY], useFactory: assemble },
        { provide: ComponentBook, inject: [COMPONENT_MANAGER], useFactory: (manager: ComponentManager) => manager.book },
        {
          provide: ComponentSupervisor,
          inject: [COMPONENT_MANAGER],
          useFactory: (manager: ComponentManager) => manager.supervisor,
        },
        {
          provide: DeploymentCoordinator,
          inject: [COMPONENT_MANAGER],
          useFactory: (manager: ComponentManager) => manager.coordinator,
        },
        DeploymentResponder,
        ComponentResponder,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.coordinator.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.coordinator.stop();
    this.supervisor.close();
    await Promise.all(this.runtimes.all().map((runtime) => runtime.close()));
    await this.redis.close();
  }
}
