import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Bus, type Unsubscribe } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { MessageRouter } from '../domain/message-router.js';

/** `lichen.routes.list`: the routes in force, as the deployment wrote them, with their counters. */
@Injectable()
export class RoutesResponder implements OnApplicationBootstrap, OnModuleDestroy {
  #served: Unsubscribe | undefined;

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(MessageRouter) private readonly router: MessageRouter,
  ) {}

  onApplicationBootstrap(): void {
    this.#served = this.bus.serve(subjects.routes.list, () => {
      const table = this.router.table;
      return {
        deploymentId: table.deploymentId,
        routes: table.routes.map(({ compiled: { definition }, counters }) => ({
          route: {
            name: definition.name,
            from: definition.from,
            where: definition.where ?? '',
            to: definition.to,
            output: definition.output ?? '',
            sample: definition.sample,
            rateLimit: definition.rateLimit ?? '',
          },
          counters: {
            matched: BigInt(counters.matched),
            routed: BigInt(counters.routed),
            dropped: Object.fromEntries([...counters.dropped].map(([reason, count]) => [reason, BigInt(count)])),
          },
        })),
      };
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.#served?.();
  }
}
