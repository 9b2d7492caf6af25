import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceContext } from '@lichen/host';
import type { SyncAgentConfig } from './config.js';

/** Wiring of local shadows: stored in Redis, served on the bus. (Being built.) */
@Module({})
export class ShadowsModule {
  static register(_context: ServiceContext<SyncAgentConfig>): DynamicModule {
    return { module: ShadowsModule };
  }
}
