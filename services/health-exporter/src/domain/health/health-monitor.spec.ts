import { describe, expect, it } from 'vitest';
import { ComponentStateBook } from '../components/component-state-book.js';
import type { HostSnapshot } from '../host/host-snapshot.js';
import { HealthMonitor, type HealthMonitorPorts } from './health-monitor.js';

const idle = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };

function snapshot(busy: number, idleSeconds: number): HostSnapshot {
  return {
    cpus: [{ cpu: '0', seconds: { ...idle, user: busy, idle: idleSeconds } }],
    load: { load1: 0.5, load5: 0.4, load15: 0.3 },
    processes: { total: 100 },
    memory: { totalBytes: 1000, availableBytes: 250 },
    filesystems: [
      {
        device: '/dev/sda1',
        mountpoint: '/',
        fstype: 'ext4',
        sizeBytes: 100,
        freeBytes: 50,
        availBytes: 45,
        files: 10,
        filesFree: 5,
      },
      {
        device: '/dev/sdb1',
        mountpoint: '/data',
        fstype: 'ext4',
        sizeBytes: 100,
        freeBytes: 5,
        availBytes: 2,
        files: 10,
        filesFree: 5,
      },
    ],
    filesystemErrors: 0,
    network: [],
    thermalZones: [{ zone: '0', type: 'x86_pkg_temp', celsius: 51 }],
    uptimeSeconds: 3600,
  };
}

function ports(readings: HostSnapshot[]): HealthMonitorPorts {
  const components = new ComponentStateBook();
  components.apply({ component: 'sensor', state: 'RUNNING' });
  return {
    host: { read: async () => readings.shift()! },
    nats: {
      probe: async () => ({
        up: true,
        stats: { version: '2.9.25', connections: 3, inMsgs: 0, outMsgs: 0, inBytes: 0, outBytes: 0, slowConsumers: 0 },
      }),
    },
    redis: { probe: async () => ({ up: false, error: 'connection refused' }) },
    components,
    busConnected: () => true,
    runtimeUptimeSeconds: () => 42,
    now: () => new Date('2026-11-26T12:00:00Z'),
  };
}

describe('HealthMonitor', () => {
  it('reports the host, the servers and the components with a verdict', async () => {
    const monitor = new HealthMonitor(ports([snapshot(10, 30)]), 'press-7', { lichen: '0.1.0' });
    const report = await monitor.report();
    expect(report).toMatchObject({
      deviceId: 'press-7',
      hostUptimeSeconds: 3600,
      runtimeUptimeSeconds: 42,
      versions: { lichen: '0.1.0', 'nats-server': '2.9.25' },
      readings: {
        cpuUtilizationRatio: 0.25,
        memoryUsedRatio: 0.75,
        fullestFilesystem: { mountpoint: '/data', usedRatio: 0.98 },
        maxTemperatureCelsius: 51,
        natsUp: true,
        redisUp: false,
        componentsByState: { RUNNING: 1 },
      },
      summary: { status: 'CRITICAL', problems: ['filesystem /data 98% full', 'Redis unreachable'] },
    });
  });

  it('measures CPU use between two reports a window apart', async () => {
    const clock = { now: new Date('2026-11-26T12:00:00Z') };
    const monitor = new HealthMonitor({ ...ports([snapshot(10, 30), snapshot(20, 70)]), now: () => clock.now }, 'press-7', {});
    await monitor.report();
    clock.now = new Date('2026-11-26T12:00:30Z');
    expect((await monitor.report()).readings.cpuUtilizationRatio).toBeCloseTo(0.2);
  });
});
