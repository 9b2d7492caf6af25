import { describe, expect, it } from 'vitest';
import { loadExporterConfig } from './config.js';

describe('health-exporter config', () => {
  it('has defaults that run on a device with NATS and Redis on localhost', () => {
    expect(loadExporterConfig({})).toMatchObject({
      natsUrl: 'nats://127.0.0.1:4222',
      natsMonitorUrl: 'http://127.0.0.1:8222',
      redisUrl: 'redis://127.0.0.1:6379',
      metricsPort: 9100,
      heartbeatInterval: 30_000,
      procRoot: '/proc',
      sysRoot: '/sys',
      rootfs: '/',
    });
  });

  it('reads container paths and durations', () => {
    const config = loadExporterConfig({
      LICHEN_PROC_ROOT: '/host/proc',
      LICHEN_HEARTBEAT_INTERVAL: '5s',
      LICHEN_DEVICE_ID: 'press-7',
    });
    expect(config).toMatchObject({ procRoot: '/host/proc', heartbeatInterval: 5_000, deviceId: 'press-7' });
  });

  it('lists every bad variable', () => {
    expect(() =>
      loadExporterConfig({ LICHEN_PROC_ROOT: 'proc', LICHEN_DEVICE_ID: 'a b', LICHEN_HEARTBEAT_INTERVAL: '10ms' }),
    ).toThrow(
      /LICHEN_DEVICE_ID: expected letters.*\n.*LICHEN_HEARTBEAT_INTERVAL: expected at least 100ms.*\n.*LICHEN_PROC_ROOT: expected an absolute path/,
    );
  });
});
