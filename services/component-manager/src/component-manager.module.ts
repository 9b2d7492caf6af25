import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Bus } from '@lichen/bus';
import type { ServiceContext } from '@lichen/host';
import { RedisAdapter } from './adapters/redis.adapter.js';
import { TcpProbe } from './adapters/tcp.probe.js';
import { componentRuntimes } from './component-runtimes.js';
import type { ManagerConfig } from './config.js';
import { ComponentBook, type StateTransition } from './domain/component/component-book.js';
import type { ComponentSpec } from './domain/component/component-spec.js';
import { DeploymentCoordinator } from './domain/deployment/deployment-coordinator.js';
import { DeploymentRunner } from './domain/deployment/deployment-runner.js';
import { documentValidator } from './document-validator.js';
import { RuntimeSet } from './domain/runtime/runtime-set.js';
import { ComponentSupervisor } from './domain/supervision/component-supervisor.js';
import { RestartBook, type RestartTimings } from './domain/supervision/restart-book.js';
import { BusReporter } from './transport/bus.reporter.js';
import { ComponentResponder } from './transport/component.responder.js';
import { DeploymentResponder } from './transport/deployment.responder.js';

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
    const transitions: ((transition: StateTransition) => void)[] = [];
    const book = new ComponentBook((transition) => transitions.forEach((listener) => listener(transition)));
    const restartTimings: RestartTimings = {
      backoffBaseMs: config.restartBackoffBase,
      backoffMaxMs: config.restartBackoffMax,
      maxErrors: config.restartMaxErrors,
      errorWindowMs: config.restartErrorWindow,
      resetAfterMs: config.restartResetAfter,
    };
    const launchEnv = (spec: ComponentSpec) => ({
      LICHEN_NATS_URL: config.componentNatsUrl ?? host.natsUrl,
      LICHEN_DEVICE_ID: host.deviceId,
      LICHEN_COMPONENT: spec.name,
    });
    return {
      module: ComponentManagerModule,
      providers: [
        { provide: ComponentBook, useValue: book },
        { provide: RuntimeSet, useFactory: () => componentRuntimes(config, host, logger) },
        { provide: RedisAdapter, useFactory: () => new RedisAdapter(host.redisUrl, host.deviceId, config.historyLimit, logger) },
        {
          provide: ComponentSupervisor,
          inject: [RuntimeSet],
          useFactory: (runtimes: RuntimeSet) =>
            new ComponentSupervisor(
              {
                runtimes,
                book,
                restarts: new RestartBook(restartTimings),
                probe: new TcpProbe(),
                launchEnv,
                log: (event, fields) => logger.info(fields, event),
              },
              {
                restart: restartTimings,
                settleMs: config.healthSettle,
                startTimeoutMs: config.startTimeout,
                pullTimeoutMs: config.pullTimeout,
                stopMarginMs: 5_000,
              },
            ),
        },
        {
          provide: DeploymentCoordinator,
          inject: [Bus, RuntimeSet, ComponentSupervisor, RedisAdapter],
          useFactory: (bus: Bus, runtimes: RuntimeSet, supervisor: ComponentSupervisor, redis: RedisAdapter) => {
            const reporter = new BusReporter(bus, logger);
            // The runner reports its plan to the coordinator, which is built next: bound late.
            const late: { coordinator?: DeploymentCoordinator } = {};
            const runner = new DeploymentRunner({
              supervisor,
              runtimes,
              book,
              publishConfig: (spec, deployment) => reporter.config(spec, deployment),
              onPlanned: (actions) => late.coordinator?.notePlanned(actions),
            });
            const coordinator = new DeploymentCoordinator(
              {
                store: redis,
                runner,
                supervisor,
                runtimes,
                book,
                validate: documentValidator({ dockerAvailable: () => runtimes.has('docker') }),
                report: (record) => reporter.deployment(record),
                log: (event, fields) => logger.info(fields, event),
              },
              { reconcileIntervalMs: config.reconcileInterval, historyLimit: config.historyLimit },
            );
            transitions.push(
              (transition) => reporter.transition(transition),
              (transition) => coordinator.noteTransition(transition),
              (transition) =>
                void redis
                  .saveComponent(transition.record, transition.removed)
                  .catch((error: Error) =>
                    logger.warn({ component: transition.record.name, err: error.message }, 'component state not saved'),
                  ),
            );
            late.coordinator = coordinator;
            return coordinator;
          },
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
