import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Bus } from '@lichen/bus';
import type { ServiceContext } from '@lichen/host';
import { RedisShadowStore } from './adapters/redis.shadow-store.js';
import type { SyncAgentConfig } from './config.js';
import { LocalShadows } from './domain/shadow/local-shadows.js';
import { ShadowEventsPublisher } from './transport/shadow-events.publisher.js';
import { ShadowResponder } from './transport/shadow.responder.js';

/**
 * Wiring of local shadows: kept in Redis, served on the bus, each change published. Exports `LocalShadows` for the
 * cloud sync, and the store for a readiness check (`ready`).
 */
@Module({})
export class ShadowsModule implements OnApplicationShutdown {
  constructor(
    @Inject(LocalShadows) private readonly shadows: LocalShadows,
    @Inject(RedisShadowStore) private readonly store: RedisShadowStore,
  ) {}

  static register({ host, logger }: ServiceContext<SyncAgentConfig>): DynamicModule {
    return {
      module: ShadowsModule,
      providers: [
        { provide: RedisShadowStore, useFactory: () => new RedisShadowStore(host.redisUrl, logger) },
        {
          provide: LocalShadows,
          inject: [RedisShadowStore],
          useFactory: (store: RedisShadowStore) =>
            new LocalShadows({ store, log: (event, fields) => logger.warn(fields, event) }),
        },
        {
          provide: ShadowEventsPublisher,
          inject: [Bus, LocalShadows],
          useFactory: (bus: Bus, shadows: LocalShadows) => new ShadowEventsPublisher(bus, shadows, logger),
        },
        ShadowResponder,
      ],
      exports: [LocalShadows, RedisShadowStore],
    };
  }

  /** Requests in flight (the bus's, the cloud sync's) are written before Redis is let go. */
  async onApplicationShutdown(): Promise<void> {
    await this.shadows.settled();
    await this.store.close();
  }
}
