import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { Bus } from '@lichen/bus';
import type { BusAuthority } from './bus-users/bus-authority.port.js';
import { BUS_AUTHORITY, METRICS_REGISTRY } from './tokens.js';

/** What the host shares with every service: the one bus connection, the one metrics registry, the bus's users. */
export interface HostShared {
  bus: Bus;
  registry: Registry;
  busAuthority: BusAuthority;
}

/** What the host shares with every service module, one of each for the whole process. */
@Global()
@Module({})
export class HostModule {
  static register({ bus, registry, busAuthority }: HostShared): DynamicModule {
    return {
      module: HostModule,
      providers: [
        { provide: Bus, useValue: bus },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: BUS_AUTHORITY, useValue: busAuthority },
      ],
      exports: [Bus, METRICS_REGISTRY, BUS_AUTHORITY],
    };
  }
}

/** The process's root module: the host's shared pieces and every hosted service's module. */
@Module({})
export class RuntimeModule {
  static register(shared: HostShared, services: DynamicModule[]): DynamicModule {
    return { module: RuntimeModule, imports: [HostModule.register(shared), ...services] };
  }
}
