import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Bus } from '@lichen/bus';
import { METRICS_REGISTRY } from './tokens.js';

/** What the host shares with every service module: the one bus connection and the one metrics registry. */
@Global()
@Module({})
export class HostModule {
  static register(bus: Bus, registry: Registry): DynamicModule {
    return {
      module: HostModule,
      providers: [
        { provide: Bus, useValue: bus },
        { provide: METRICS_REGISTRY, useValue: registry },
      ],
      exports: [Bus, METRICS_REGISTRY],
    };
  }
}

/** The process's root module: the host's shared pieces and every hosted service's module. */
@Module({})
export class RuntimeModule {
  static register(bus: Bus, registry: Registry, services: DynamicModule[]): DynamicModule {
    return { module: RuntimeModule, imports: [HostModule.register(bus, registry), ...services] };
  }
}
