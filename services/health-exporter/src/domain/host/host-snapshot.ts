/** The CPU modes of `/proc/stat`, in the kernel's column order. `guest` is already counted in `user`. */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export interface CpuTimes {
  /** "0", "1", ... as in `cpu0`, `cpu1`. */
  readonly cpu: string;
  readonly seconds: Readonly<Record<CpuMode, number>>;
}

export interface LoadAverage {
  readonly load1: number;
  readonly load5: number;
  readonly load15: number;
}

/** Kernel-wide counters and gauges from `/proc/stat`; a field is absent when the kernel did not print it. */
export interface KernelStat {
  readonly cpus: readonly CpuTimes[];
  readonly bootTimeSeconds?: number;
  readonly contextSwitchesTotal?: number;
  readonly forksTotal?: number;
  readonly procsRunning?: number;
  readonly procsBlocked?: number;
}

/** From `/proc/meminfo`, in bytes; a field is absent when its line is (old kernels, no swap support). */
export interface MemoryInfo {
  readonly totalBytes?: number;
  readonly freeBytes?: number;
  readonly availableBytes?: number;
  readonly buffersBytes?: number;
  readonly cachedBytes?: number;
  readonly swapTotalBytes?: number;
  readonly swapFreeBytes?: number;
}

export interface MountEntry {
  readonly device: string;
  readonly mountpoint: string;
  readonly fstype: string;
}

export interface FilesystemStats extends MountEntry {
  readonly sizeBytes: number;
  readonly freeBytes: number;
  /** Free to unprivileged users (free minus the reserved blocks). */
  readonly availBytes: number;
  readonly files: number;
  readonly filesFree: number;
}

export interface NetworkInterfaceStats {
  readonly device: string;
  readonly receive: NetworkDirectionStats;
  readonly transmit: NetworkDirectionStats;
}

export interface NetworkDirectionStats {
  readonly bytes: number;
  readonly packets: number;
  readonly errors: number;
  readonly drop: number;
}

export interface ThermalZone {
  /** "0", "1", ... as in `thermal_zone0`. */
  readonly zone: string;
  /** The zone's `type` file, e.g. `x86_pkg_temp`, `acpitz`, `cpu-thermal`. */
  readonly type: string;
  readonly celsius: number;
}

export interface ProcessCounts {
  /** Processes alive: the numeric directories of `/proc`. */
  readonly total: number;
  readonly running?: number;
  readonly blocked?: number;
  readonly forksTotal?: number;
  readonly contextSwitchesTotal?: number;
}

/** One reading of the host. Plain data: every value is a number already in base units. */
export interface HostSnapshot {
  readonly cpus: readonly CpuTimes[];
  readonly load?: LoadAverage;
  readonly processes: ProcessCounts;
  readonly memory: MemoryInfo;
  readonly filesystems: readonly FilesystemStats[];
  /** Mounts that were skipped because `statfs` failed or hung (permission, stale network mount). */
  readonly filesystemErrors: number;
  readonly network: readonly NetworkInterfaceStats[];
  readonly thermalZones: readonly ThermalZone[];
  readonly uptimeSeconds?: number;
  readonly bootTimeSeconds?: number;
}
