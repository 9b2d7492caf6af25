import { describe, expect, it } from 'vitest';
import { loadConfig } from '@lichen/config';
import { exporterConfigShape } from './config.js';

describe('health-exporter config', () => {
  it('reads the host as it is, every 30 s, by default', () => {
    expect(loadConfig(exporterConfigShape, {})).toEqual({
      heartbeatInterval: 30_000,
      probeTimeout: 1_000,
      procRoot: '/proc',
      sysRoot: '/sys',
      rootfs: '/',
    });
  });

  it('reads container paths and durations', () => {
    const config = loadConfig(exporterConfigShape, { LICHEN_PROC_ROOT: '/host/proc', LICHEN_HEARTBEAT_INTERVAL: '5s' });
    expect(config).toMatchObject({ procRoot: '/host/proc', heartbeatInterval: 5_000 });
  });

  it('lists every bad variable', () => {
    expect(() => loadConfig(exporterConfigShape, { LICHEN_PROC_ROOT: 'proc', LICHEN_HEARTBEAT_INTERVAL: '10ms' })).toThrow(
      /LICHEN_HEARTBEAT_INTERVAL: expected at least 100ms.*\n.*LICHEN_PROC_ROOT: expected an absolute path/,
    );
  });
});
