import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestLogger, type Logger } from '@lichen/logging';
import { Bus } from '../bus.js';
import { BusExceptionFilter } from './bus-exception.filter.js';
import { BusServer } from './bus.server.js';

export interface BusServiceOptions {
  /** The service's name; the NATS connection is named `lichen-<name>`. */
  name: string;
  natsUrl: string;
  logger: Logger;
  /** The service's root module, built around the bus it is given. */
  module: (bus: Bus) => DynamicModule;
  /** Queue group for its request handlers, so that replicas share the work. */
  queue?: string;
}

/**
 * Boots a Lichen service: connects to the bus (in the background, retrying), builds the Nest application
 * with its handlers served on the Lichen wire, and starts it. The service keeps running while NATS is away.
 */
export async function startBusService(options: BusServiceOptions): Promise<INestMicroservice> {
  const bus = Bus.connect({ servers: options.natsUrl, name: `lichen-${options.name}`, logger: options.logger });
  const app = await NestFactory.createMicroservice(options.module(bus), {
    strategy: new BusServer(bus, { queue: options.queue }),
    logger: new NestLogger(options.logger),
  });
  app.useGlobalFilters(new BusExceptionFilter());
  await app.listen();
  return app;
}
