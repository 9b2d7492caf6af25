import type { CpuTimes } from '../host/host-snapshot.js';

export interface CpuTotals {
  busySeconds: number;
  totalSeconds: number;
}

/** Busy and total CPU seconds summed over all CPUs: idle and iowait are not busy. */
export function cpuTotals(cpus: readonly CpuTimes[]): CpuTotals {
  let busySeconds = 0;
  let totalSeconds = 0;
  for (const { seconds } of cpus) {
    const total = Object.values(seconds).reduce((sum, value) => sum + value, 0);
    totalSeconds += total;
    busySeconds += total - seconds.idle - seconds.iowait;
  }
  return { busySeconds, totalSeconds };
}

/** The share of CPU time spent busy between two readings, 0 to 1 (0 when no time passed). */
export function cpuUtilization(before: CpuTotals, after: CpuTotals): number {
  const total = after.totalSeconds - before.totalSeconds;
  if (total <= 0) return 0;
  return Math.min(1, Math.max(0, (after.busySeconds - before.busySeconds) / total));
}
