import { describe, expect, it } from 'vitest';
import { cpuTotals, cpuUtilization } from './cpu-utilization.js';
import { summarizeHealth, type HealthReadings } from './health-summary.js';

const healthy: HealthReadings = {
  cpuUtilizationRatio: 0.2,
  memoryUsedRatio: 0.5,
  fullestFilesystem: { mountpoint: '/', usedRatio: 0.4 },
  load1: 0.3,
  busConnected: true,
  natsUp: true,
  redisUp: true,
  componentsByState: { RUNNING: 3 },
};

describe('summarizeHealth', () => {
  it('is OK with nothing to say when all is well', () => {
    expect(summarizeHealth(healthy)).toEqual({ status: 'OK', problems: [] });
  });

  it('is not degraded by a NATS without a monitoring endpoint while the bus is connected', () => {
    expect(summarizeHealth({ ...healthy, natsUp: false })).toEqual({ status: 'OK', problems: [] });
  });

  it('is DEGRADED when a server is unreachable or memory is tight', () => {
    expect(summarizeHealth({ ...healthy, redisUp: false, memoryUsedRatio: 0.92 })).toEqual({
      status: 'DEGRADED',
      problems: ['memory 92% used', 'Redis unreachable'],
    });
  });

  it('is CRITICAL when a disk is nearly full or a component is broken, listing those first', () => {
    const summary = summarizeHealth({
      ...healthy,
      busConnected: false,
      fullestFilesystem: { mountpoint: '/var/lib/lichen', usedRatio: 0.99 },
      componentsByState: { RUNNING: 1, BROKEN: 2 },
    });
    expect(summary.status).toBe('CRITICAL');
    expect(summary.problems).toEqual([
      'filesystem /var/lib/lichen 99% full',
      '2 component(s) BROKEN',
      'not connected to the bus',
    ]);
  });
});

describe('cpuUtilization', () => {
  const seconds = (busy: number, idle: number) => ({
    user: busy,
    nice: 0,
    system: 0,
    idle,
    iowait: 0,
    irq: 0,
    softirq: 0,
    steal: 0,
  });

  it('is the busy share of the time between two readings over all CPUs', () => {
    const before = cpuTotals([
      { cpu: '0', seconds: seconds(10, 90) },
      { cpu: '1', seconds: seconds(10, 90) },
    ]);
    const after = cpuTotals([
      { cpu: '0', seconds: seconds(20, 90) },
      { cpu: '1', seconds: seconds(10, 100) },
    ]);
    expect(cpuUtilization(before, after)).toBeCloseTo(0.5);
  });

  it('is 0 when no time passed', () => {
    const same = cpuTotals([{ cpu: '0', seconds: seconds(1, 1) }]);
    expect(cpuUtilization(same, same)).toBe(0);
  });
});
