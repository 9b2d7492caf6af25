import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Bus, type Unsubscribe } from '@lichen/bus';
import { subjects } from '@lichen/contracts';
import { HealthMonitor } from '../domain/health/health-monitor.js';
import { DEVICE_ID } from '../tokens.js';
import { toHeartbeat } from './heartbeat.mapper.js';

/**
 * Answers health requests with a fresh heartbeat: `lichen.health.get`, which every device on the bus answers
 * (a roll call), and `lichen.health.<device>.get`, which only this device answers. The device's own subject is
 * known only from config, so it is served here rather than by a `@MessagePattern`.
 */
@Injectable()
export class HealthResponder implements OnApplicationBootstrap, OnModuleDestroy {
  readonly #served: Unsubscribe[] = [];

  constructor(
    @Inject(Bus) private readonly bus: Bus,
    @Inject(HealthMonitor) private readonly monitor: HealthMonitor,
    @Inject(DEVICE_ID) private readonly deviceId: string,
  ) {}

  onApplicationBootstrap(): void {
    const heartbeat = async () => toHeartbeat(await this.monitor.report());
    this.#served.push(
      this.bus.serve(subjects.health.get, heartbeat),
      this.bus.serve(subjects.health.device, heartbeat, { tokens: [this.deviceId] }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.#served.splice(0).map((unsubscribe) => unsubscribe()));
  }
}
