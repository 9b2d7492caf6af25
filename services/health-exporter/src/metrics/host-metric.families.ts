import { CPU_MODES } from '../domain/host/host-snapshot.js';
import type { FilesystemStats, HostSnapshot, NetworkDirectionStats } from '../domain/host/host-snapshot.js';
import { counter as counterOf, gauge as gaugeOf, type MetricFamily, type Sample } from './metric-family.js';

/** A metric family Lichen derives from one host snapshot. */
export type HostMetricFamily = MetricFamily<HostSnapshot>;

const gauge = gaugeOf<HostSnapshot>;
const counter = counterOf<HostSnapshot>;

const filesystem = (name: string, help: string, pick: (fs: FilesystemStats) => number): HostMetricFamily => ({
  name,
  help,
  type: 'gauge',
  labelNames: ['device', 'mountpoint', 'fstype'],
  samples: (host) =>
    host.filesystems.map((fs) => [{ device: fs.device, mountpoint: fs.mountpoint, fstype: fs.fstype }, pick(fs)]),
});

const network = (direction: 'receive' | 'transmit', field: keyof NetworkDirectionStats, what: string): HostMetricFamily => ({
  name: `lichen_host_network_${direction}_${field}_total`,
  help: `${what} ${direction === 'receive' ? 'received' : 'transmitted'} by the network interface, from /proc/net/dev.`,
  type: 'counter',
  labelNames: ['device'],
  samples: (host) => host.network.map((nic) => [{ device: nic.device }, nic[direction][field]]),
});

const networkFamilies = (['receive', 'transmit'] as const).flatMap((direction) => [
  network(direction, 'bytes', 'Bytes'),
  network(direction, 'packets', 'Packets'),
  network(direction, 'errors', 'Errors'),
  network(direction, 'drop', 'Packets dropped'),
]);

export const HOST_METRIC_FAMILIES: readonly HostMetricFamily[] = [
  {
    name: 'lichen_host_cpu_seconds_total',
    help: 'Seconds each CPU spent in each mode, from /proc/stat.',
    type: 'counter',
    labelNames: ['cpu', 'mode'],
    samples: (host) => host.cpus.flatMap(({ cpu, seconds }) => CPU_MODES.map((mode): Sample => [{ cpu, mode }, seconds[mode]])),
  },
  gauge('lichen_host_load1', 'Load average over 1 minute.', (host) => host.load?.load1),
  gauge('lichen_host_load5', 'Load average over 5 minutes.', (host) => host.load?.load5),
  gauge('lichen_host_load15', 'Load average over 15 minutes.', (host) => host.load?.load15),
  gauge('lichen_host_memory_total_bytes', 'Usable RAM (MemTotal).', (host) => host.memory.totalBytes),
  gauge('lichen_host_memory_free_bytes', 'RAM not used at all (MemFree).', (host) => host.memory.freeBytes),
  gauge(
    'lichen_host_memory_available_bytes',
    'RAM available to new work without swapping (MemAvailable).',
    (host) => host.memory.availableBytes,
  ),
  gauge('lichen_host_memory_buffers_bytes', 'RAM used for block device buffers (Buffers).', (host) => host.memory.buffersBytes),
  gauge('lichen_host_memory_cached_bytes', 'RAM used for the page cache (Cached).', (host) => host.memory.cachedBytes),
  gauge('lichen_host_swap_total_bytes', 'Swap space (SwapTotal).', (host) => host.memory.swapTotalBytes),
  gauge('lichen_host_swap_free_bytes', 'Unused swap space (SwapFree).', (host) => host.memory.swapFreeBytes),
  filesystem('lichen_host_filesystem_size_bytes', 'File system size.', (fs) => fs.sizeBytes),
  filesystem(
    'lichen_host_filesystem_free_bytes',
    'File system free space, including space reserved for root.',
    (fs) => fs.freeBytes,
  ),
  filesystem('lichen_host_filesystem_avail_bytes', 'File system space available to non-root users.', (fs) => fs.availBytes),
  filesystem('lichen_host_filesystem_files', 'File system inodes.', (fs) => fs.files),
  filesystem('lichen_host_filesystem_files_free', 'File system free inodes.', (fs) => fs.filesFree),
  gauge(
    'lichen_host_filesystem_stat_errors',
    'Mounts left out of the last read because statfs failed or hung.',
    (host) => host.filesystemErrors,
  ),
  ...networkFamilies,
  {
    name: 'lichen_host_thermal_zone_temp_celsius',
    help: 'Temperature of the thermal zone, from /sys/class/thermal.',
    type: 'gauge',
    labelNames: ['zone', 'type'],
    samples: (host) => host.thermalZones.map(({ zone, type, celsius }) => [{ zone, type }, celsius]),
  },
  gauge('lichen_host_uptime_seconds', 'Seconds since the host booted.', (host) => host.uptimeSeconds),
  gauge('lichen_host_boot_time_seconds', 'Unix time the host booted.', (host) => host.bootTimeSeconds),
  gauge('lichen_host_processes', 'Processes that exist on the host.', (host) => host.processes.total),
  gauge('lichen_host_procs_running', 'Threads runnable or running.', (host) => host.processes.running),
  gauge('lichen_host_procs_blocked', 'Threads blocked waiting for I/O.', (host) => host.processes.blocked),
  counter('lichen_host_forks_total', 'Processes and threads created since boot.', (host) => host.processes.forksTotal),
  counter('lichen_host_context_switches_total', 'Context switches since boot.', (host) => host.processes.contextSwitchesTotal),
];
