import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { Logger } from '@lichen/logging';
import { MetricsServer } from '@lichen/metrics';
import type { ExporterConfig } from '../config.js';
import { CONFIG, LOGGER, REGISTRY } from '../tokens.js';

/** Serves `/metrics` and `/healthz` for the lifetime of the service. */
@Injectable()
export class MetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #server: MetricsServer;

  constructor(@Inject(REGISTRY) registry: Registry, @Inject(CONFIG) config: ExporterConfig, @Inject(LOGGER) logger: Logger) {
    this.#server = new MetricsServer({ registry, host: config.metricsHost, port: config.metricsPort, logger });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.#server.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.#server.stop();
  }
}
