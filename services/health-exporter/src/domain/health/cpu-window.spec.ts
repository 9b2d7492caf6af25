import { describe, expect, it } from 'vitest';
import { CpuWindow } from './cpu-window.js';

const totals = (busySeconds: number, totalSeconds: number) => ({ busySeconds, totalSeconds });

describe('CpuWindow', () => {
  it('reads the average since boot the first time', () => {
    expect(new CpuWindow(10_000).utilization(totals(25, 100), 0)).toBe(0.25);
  });

  it('measures a reading just after another over the window, not over the few milliseconds between them', () => {
    const window = new CpuWindow(10_000);
    window.utilization(totals(0, 0), 0);
    window.utilization(totals(15, 30), 30_000); // a heartbeat: half busy over 30 s
    // 5 ms later, the CPU was idle for its one tick: still half busy over the last 30 s.
    expect(window.utilization(totals(15, 30.01), 30_005)).toBeCloseTo(0.5, 2);
  });

  it('uses the oldest reading while none is a whole window old', () => {
    const window = new CpuWindow(10_000);
    window.utilization(totals(10, 20), 0);
    expect(window.utilization(totals(14, 24), 2_000)).toBe(1);
  });

  it('forgets readings older than two windows, keeping one baseline', () => {
    const window = new CpuWindow(1_000);
    for (let second = 0; second <= 100; second++) window.utilization(totals(second * 0.5, second), second * 1_000);
    expect(window.utilization(totals(50.5, 101), 101_000)).toBeCloseTo(0.5);
  });
});
