import 'reflect-metadata';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Bus, BusExceptionFilter, BusServer } from '@lichen/bus';
import { createLogger, NestLogger, type Logger } from '@lichen/logging';
import type { ExporterConfig } from './config.js';
import { HealthExporterModule } from './health-exporter.module.js';

/** Builds and starts the health exporter: bus handlers, `/metrics`, the heartbeat. */
export async function startHealthExporter(config: ExporterConfig, logger?: Logger): Promise<INestMicroservice> {
  const log = logger ?? createLogger({ service: 'health-exporter', level: config.logLevel });
  const bus = Bus.connect({ servers: config.natsUrl, name: 'lichen-health-exporter', logger: log });
  const app = await NestFactory.createMicroservice(HealthExporterModule.register({ config, logger: log, bus }), {
    strategy: new BusServer(bus),
    logger: new NestLogger(log),
  });
  app.useGlobalFilters(new BusExceptionFilter());
  await app.listen();
  log.info({ deviceId: config.deviceId, metricsPort: config.metricsPort }, 'health exporter started');
  return app;
}
