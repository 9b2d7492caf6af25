import type { INestMicroservice } from '@nestjs/common';
import { startBusService } from '@lichen/bus';
import { createLogger, type Logger } from '@lichen/logging';
import type { ExporterConfig } from './config.js';
import { HealthExporterModule } from './health-exporter.module.js';

/** Builds and starts the health exporter: bus handlers, `/metrics`, the heartbeat. */
export async function startHealthExporter(config: ExporterConfig, logger?: Logger): Promise<INestMicroservice> {
  const log = logger ?? createLogger({ service: 'health-exporter', level: config.logLevel });
  const app = await startBusService({
    name: 'health-exporter',
    natsUrl: config.natsUrl,
    logger: log,
    module: (bus) => HealthExporterModule.register({ config, logger: log, bus }),
  });
  log.info({ deviceId: config.deviceId, metricsPort: config.metricsPort }, 'health exporter started');
  return app;
}
