import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Bus } from '../bus.js';

/** Makes one `Bus` injectable everywhere in a service, and drains it when the service shuts down. */
@Global()
@Module({})
export class BusModule implements OnApplicationShutdown {
  constructor(@Inject(Bus) private readonly bus: Bus) {}

  static forBus(bus: Bus): DynamicModule {
    return { module: BusModule, providers: [{ provide: Bus, useValue: bus }], exports: [Bus] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
