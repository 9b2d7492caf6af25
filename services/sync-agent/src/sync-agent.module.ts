import {
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Bus } from '@lichen/bus';
import { METRICS_REGISTRY, type ServiceContext } from '@lichen/host';
import type { SyncAgentConfig } from './config.js';
import { cloudLinkFor, type StartableLink } from './cloud-link.factory.js';
import { LocalShadows } from './domain/shadow/local-shadows.js';
import { registerShadowSyncMetrics } from './metrics/shadow-sync.metrics.js';
import { ShadowsModule } from './shadows.module.js';
import { CloudBridge } from './transport/cloud-bridge.js';
import { startShadowSync } from './transport/shadow-sync.wiring.js';

const CLOUD_LINK = Symbol('cloud link');
const SETTINGS = Symbol('sync agent settings');

/** Wiring of the sync agent: the cloud link, the spool's forwarding and the bus side of the link; local shadows. */
@Module({})
export class SyncAgentModule implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  #stopShadowSync: (() => Promise<void>) | undefined;

  constructor(
    @Inject(CLOUD_LINK) private readonly link: StartableLink,
    @Inject(CloudBridge) private readonly bridge: CloudBridge,
    @Inject(LocalShadows) private readonly shadows: LocalShadows,
    @Inject(SETTINGS) private readonly settings: { context: ServiceContext<SyncAgentConfig> },
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
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
        { provide: SETTINGS, useValue: { context } },
        { provide: CloudBridge, inject: [Bus, METRICS_REGISTRY], useFactory: createBridge },
      ],
    };
  }

  onApplicationBootstrap(): void {
    const { config, logger } = this.settings.context;
    this.bridge.start();
    const shadowSync = startShadowSync(
      this.shadows,
      this.link.link,
      { thing: this.link.clientId, names: config.cloudShadows },
      logger,
    );
    registerShadowSyncMetrics(this.registry, shadowSync.sync.counts);
    this.#stopShadowSync = shadowSync.stop;
    this.link.start();
  }

  /** The shadow sync stops before the shadows' module closes Redis (in its `onApplicationShutdown`). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.#stopShadowSync?.();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bridge.stop(() => this.link.stop());
  }
}
