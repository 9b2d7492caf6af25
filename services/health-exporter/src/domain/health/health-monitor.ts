import type { ComponentStateBook } from '../components/component-state-book.js';
import type { HostReader } from '../host/host-reader.js';
import type { HostSnapshot } from '../host/host-snapshot.js';
import type { NatsServerStats, RedisServerStats, ServerProbe } from '../servers/server-stats.js';
import { cpuTotals } from './cpu-utilization.js';
import { CpuWindow } from './cpu-window.js';
import { summarizeHealth, type HealthReadings, type HealthSummary } from './health-summary.js';

/** One look at the device's health: what a heartbeat carries. */
export interface HealthReport {
  deviceId: string;
  time: Date;
  hostUptimeSeconds: number;
  runtimeUptimeSeconds: number;
  versions: Record<string, string>;
  readings: HealthReadings;
  summary: HealthSummary;
}

export interface HealthMonitorPorts {
  host: HostReader;
  nats: ServerProbe<NatsServerStats>;
  redis: ServerProbe<RedisServerStats>;
  components: ComponentStateBook;
  busConnected: () => boolean;
  runtimeUptimeSeconds: () => number;
  now: () => Date;
}

/** Puts the host, the servers and the components together into a health report with a verdict. */
export class HealthMonitor {
  readonly #cpu = new CpuWindow();

  constructor(
    private readonly ports: HealthMonitorPorts,
    private readonly deviceId: string,
    private readonly versions: Record<string, string>,
  ) {}

  async report(): Promise<HealthReport> {
    const { host, nats, redis, components } = this.ports;
    const [snapshot, natsProbe, redisProbe] = await Promise.all([host.read(), nats.probe(), redis.probe()]);
    const readings: HealthReadings = {
      cpuUtilizationRatio: this.#cpu.utilization(cpuTotals(snapshot.cpus), this.ports.now().getTime()),
      memoryUsedRatio: memoryUsedRatio(snapshot),
      fullestFilesystem: fullestFilesystem(snapshot),
      maxTemperatureCelsius: snapshot.thermalZones.length
        ? Math.max(...snapshot.thermalZones.map((zone) => zone.celsius))
        : undefined,
      load1: snapshot.load?.load1 ?? 0,
      busConnected: this.ports.busConnected(),
      natsUp: natsProbe.up,
      redisUp: redisProbe.up,
      componentsByState: components.countByState(),
    };
    const versions = { ...this.versions };
    if (natsProbe.up) versions['nats-server'] = natsProbe.stats.version;
    if (redisProbe.up) versions['redis'] = redisProbe.stats.version;
    return {
      deviceId: this.deviceId,
      time: this.ports.now(),
      hostUptimeSeconds: snapshot.uptimeSeconds ?? 0,
      runtimeUptimeSeconds: this.ports.runtimeUptimeSeconds(),
      versions,
      readings,
      summary: summarizeHealth(readings),
    };
  }
}

function memoryUsedRatio({ memory }: HostSnapshot): number {
  if (!memory.totalBytes) return 0;
  const available = memory.availableBytes ?? (memory.freeBytes ?? 0) + (memory.buffersBytes ?? 0) + (memory.cachedBytes ?? 0);
  return 1 - available / memory.totalBytes;
}

function fullestFilesystem({ filesystems }: HostSnapshot): HealthReadings['fullestFilesystem'] {
  let fullest: HealthReadings['fullestFilesystem'];
  for (const fs of filesystems) {
    if (fs.sizeBytes <= 0) continue;
    const usedRatio = 1 - fs.availBytes / fs.sizeBytes;
    if (!fullest || usedRatio > fullest.usedRatio) fullest = { mountpoint: fs.mountpoint, usedRatio };
  }
  return fullest;
}
