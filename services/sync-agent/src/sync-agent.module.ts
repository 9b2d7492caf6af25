import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Bus } from '@lichen/bus';
import { METRICS_REGISTRY, type ServiceContext } from '@lichen/host';
import type { SyncAgentConfig } from './config.js';
import { cloudLinkFor, type StartableLink } from './cloud-link.factory.js';
import { ShadowsModule } from './shadows.module.js';
import { CloudBridge } from './transport/cloud-bridge.js';

const CLOUD_LINK = Symbol('cloud link');

/** Wiring of the sync agent: the cloud link, the spool's forwarding and the bus side of the link; local shadows. */
@Module({})
export class SyncAgentModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(CLOUD_LINK) private readonly link: StartableLink,
    @Inject(CloudBridge) private readonly bridge: CloudBridge,
  ) {}

  static register(context: ServiceContext<SyncAgentConfig>): DynamicModule {
    const { config, host, logger } = context;
    const link = cloudLinkFor(config, host);
    const createBridge = (bus: Bus, registry: Registry) => {
      const bridge = new CloudBridge(
        bus,
        link.link,
        {
          thingName: link.clientId,
          deviceId: host.deviceId,
          endpoint: link.endpoint,
          protocolVersion: config.cloudProtocol === '5' ? 5 : 4,
          maxInFlight: config.cloudMaxInflight,
          subscriptions: config.cloudSubscriptions,
          heartbeatTopic: config.cloudHeartbeatTopic,
          spoolLimits: host.spool,
        },
        logger,
      );
      bridge.registerMetrics(registry);
      return bridge;
    };
    return {
      module: SyncAgentModule,
      imports: [ShadowsModule.register(context)],
      providers: [
        { provide: CLOUD_LINK, useValue: link },
        { provide: CloudBridge, inject: [Bus, METRICS_REGISTRY], useFactory: createBridge },
      ],
    };
  }

  onApplicationBootstrap(): void {
    this.bridge.start();
    this.link.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bridge.stop(() => this.link.stop());
  }
}
