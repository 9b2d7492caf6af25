import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Bus } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import { HealthMonitor } from '../domain/health/health-monitor.js';
import { CONFIG, LOGGER } from '../tokens.js';
import type { ExporterConfig } from '../config.js';
import { toHeartbeat } from './heartbeat.mapper.js';

/** Publishes the device heartbeat on `lichen.evt.health` every heartbeat interval, and once on connecting. */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnModuleDestroy {
  #timer: NodeJS.Timeout | undefined;
  #stopConnectionWatch: (() => void) | undefined;

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(HealthMonitor) private readonly monitor: HealthMonitor,
    @Inject(CONFIG) private readonly config: ExporterConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.#timer = setInterval(() => void this.publish(), this.config.heartbeatInterval);
    this.#stopConnectionWatch = this.bus.onConnectionChange((connected) => connected && void this.publish());
    if (this.bus.connected) void this.publish();
  }

  onModuleDestroy(): void {
    clearInterval(this.#timer);
    this.#stopConnectionWatch?.();
  }

  async publish(): Promise<void> {
    if (!this.bus.connected) return;
    try {
      const report = await this.monitor.report();
      this.bus.publish(subjects.health.heartbeat, [], toHeartbeat(report));
    } catch (error) {
      this.logger.error({ err: error, subject: subjects.health.heartbeat.pattern }, 'heartbeat not published');
    }
  }
}
