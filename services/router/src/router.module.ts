import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Bus } from '@lichen/bus';
import { METRICS_REGISTRY, type ServiceContext } from '@lichen/host';
import type { Logger } from '@lichen/logging';
import { keepCloudSpool, type SpoolLimits } from '@lichen/spool';
import type { RouterConfig } from './config.js';
import { MessageRouter } from './domain/message-router.js';
import { registerRouteMetrics } from './metrics/route.metrics.js';
import { BusOutlet } from './transport/bus.outlet.js';
import { DesiredRoutesFollower } from './transport/desired-routes.follower.js';
import { RouteSubscriptions } from './transport/route-subscriptions.js';
import { RoutesResponder } from './transport/routes.responder.js';

const LOGGER = Symbol('router logger');
const SPOOL_LIMITS = Symbol('cloud spool limits');

/** Wiring of the router: the message router on the bus, following the desired deployment's routes. */
@Module({})
export class RouterModule implements OnApplicationBootstrap, OnApplicationShutdown {
  #stopSpool: (() => void) | undefined;

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SPOOL_LIMITS) private readonly spoolLimits: SpoolLimits,
    @Inject(RouteSubscriptions) private readonly subscriptions: RouteSubscriptions,
    @Inject(DesiredRoutesFollower) private readonly follower: DesiredRoutesFollower,
  ) {}

  static register({ config, host, logger }: ServiceContext<RouterConfig>): DynamicModule {
    const createRouter = (bus: Bus, registry: Registry) => {
      const router = new MessageRouter({
        outlet: new BusOutlet(bus, { modelTimeoutMs: config.routerModelTimeout, spoolTimeoutMs: config.routerSpoolTimeout }),
        log: (event, fields) => logger.warn(fields, event),
      });
      registerRouteMetrics(registry, router);
      return router;
    };
    return {
      module: RouterModule,
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: SPOOL_LIMITS, useValue: host.spool },
        { provide: MessageRouter, inject: [Bus, METRICS_REGISTRY], useFactory: createRouter },
        {
          provide: RouteSubscriptions,
          inject: [Bus, MessageRouter],
          useFactory: (bus: Bus, router: MessageRouter) => new RouteSubscriptions(bus, router, logger),
        },
        {
          provide: DesiredRoutesFollower,
          inject: [Bus, RouteSubscriptions],
          useFactory: (bus: Bus, subscriptions: RouteSubscriptions) =>
            new DesiredRoutesFollower(bus, (id, routes) => subscriptions.apply(id, routes), logger),
        },
        RoutesResponder,
      ],
    };
  }

  onApplicationBootstrap(): void {
    this.#stopSpool = keepCloudSpool(this.bus, this.logger, this.spoolLimits);
    this.follower.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.#stopSpool?.();
    await this.follower.stop();
    await this.subscriptions.close();
  }
}
