import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { HostReader } from '../domain/host/host-reader.js';
import type { HostSnapshot, NetworkInterfaceStats } from '../domain/host/host-snapshot.js';
import { registerHostMetrics } from './host.metrics.js';

const nic = (device: string, rxBytes: number): NetworkInterfaceStats => ({
  device,
  receive: { bytes: rxBytes, packets: 10, errors: 1, drop: 2 },
  transmit: { bytes: 300, packets: 4, errors: 0, drop: 0 },
});

const snapshot: HostSnapshot = {
  cpus: [
    { cpu: '0', seconds: { user: 58.56, nice: 0, system: 15.08, idle: 429.5, iowait: 0.61, irq: 0, softirq: 0.89, steal: 0.03 } },
    { cpu: '1', seconds: { user: 83.1, nice: 0, system: 20.67, idle: 394.79, iowait: 5.33, irq: 0, softirq: 0.96, steal: 0.04 } },
  ],
  load: { load1: 0.22, load5: 0.26, load15: 0.17 },
  processes: { total: 95, running: 2, blocked: 0, forksTotal: 9948, contextSwitchesTotal: 1517111 },
  memory: {
    totalBytes: 25276059648,
    freeBytes: 23846555648,
    availableBytes: 24534302720,
    buffersBytes: 7299072,
    cachedBytes: 892416000,
  },
  filesystems: [
    {
      device: '/dev/vda',
      mountpoint: '/',
      fstype: 'ext4',
      sizeBytes: 270553174016,
      freeBytes: 244985950208,
      availBytes: 83377070080,
      files: 16777216,
      filesFree: 16337762,
    },
  ],
  filesystemErrors: 1,
  network: [nic('lo', 61192), nic('eth0', 547770921)],
  thermalZones: [{ zone: '0', type: 'x86_pkg_temp', celsius: 45.5 }],
  uptimeSeconds: 507.29,
  bootTimeSeconds: 1795693821,
};

/** A plain fake reader that hands out the snapshots it is given, in turn, and counts the reads. */
function fakeReader(...snapshots: (HostSnapshot | Error)[]) {
  const reader = {
    reads: 0,
    async read(): Promise<HostSnapshot> {
      const next = snapshots[Math.min(reader.reads, snapshots.length - 1)];
      reader.reads += 1;
      if (next === undefined || next instanceof Error) throw next ?? new Error('no snapshot');
      return next;
    },
  } satisfies HostReader & { reads: number };
  return reader;
}

function setup(reader: HostReader) {
  const clock = { now: 0 };
  const registry = new Registry();
  registerHostMetrics(registry, reader, { now: () => clock.now });
  /** One scrape, a second after the previous one. */
  const scrape = async () => {
    clock.now += 1_000;
    return (await registry.metrics()).split('\n');
  };
  return { registry, scrape };
}

describe('registerHostMetrics', () => {
  it('exposes the snapshot in Prometheus base units', async () => {
    const { scrape } = setup(fakeReader(snapshot));
    expect(await scrape()).toEqual(
      expect.arrayContaining([
        '# TYPE lichen_host_cpu_seconds_total counter',
        'lichen_host_cpu_seconds_total{cpu="0",mode="user"} 58.56',
        'lichen_host_cpu_seconds_total{cpu="1",mode="idle"} 394.79',
        'lichen_host_load1 0.22',
        'lichen_host_load15 0.17',
        'lichen_host_memory_total_bytes 25276059648',
        'lichen_host_memory_available_bytes 24534302720',
        'lichen_host_filesystem_size_bytes{device="/dev/vda",mountpoint="/",fstype="ext4"} 270553174016',
        'lichen_host_filesystem_avail_bytes{device="/dev/vda",mountpoint="/",fstype="ext4"} 83377070080',
        'lichen_host_filesystem_files_free{device="/dev/vda",mountpoint="/",fstype="ext4"} 16337762',
        'lichen_host_filesystem_stat_errors 1',
        '# TYPE lichen_host_network_receive_bytes_total counter',
        'lichen_host_network_receive_bytes_total{device="eth0"} 547770921',
        'lichen_host_network_receive_drop_total{device="lo"} 2',
        'lichen_host_network_transmit_packets_total{device="eth0"} 4',
        'lichen_host_thermal_zone_temp_celsius{zone="0",type="x86_pkg_temp"} 45.5',
        'lichen_host_uptime_seconds 507.29',
        'lichen_host_boot_time_seconds 1795693821',
        'lichen_host_processes 95',
        'lichen_host_procs_running 2',
        'lichen_host_procs_blocked 0',
        'lichen_host_forks_total 9948',
        'lichen_host_read_errors_total 0',
      ]),
    );
  });

  it('leaves out what the host did not report instead of showing 0', async () => {
    const lines = await setup(fakeReader(snapshot)).scrape();
    expect(lines.filter((line) => line.startsWith('lichen_host_swap_'))).toEqual([]);
  });

  it('reads the host once per scrape', async () => {
    const reader = fakeReader(snapshot);
    const { scrape } = setup(reader);
    await scrape();
    expect(reader.reads).toBe(1);
    await scrape();
    expect(reader.reads).toBe(2);
  });

  it('sets counters to the kernel totals instead of adding to them', async () => {
    const { scrape } = setup(fakeReader(snapshot));
    await scrape();
    expect(await scrape()).toContain('lichen_host_network_receive_bytes_total{device="lo"} 61192');
  });

  it('drops the series of an interface that went away', async () => {
    const { scrape } = setup(fakeReader(snapshot, { ...snapshot, network: [nic('lo', 70000)] }));
    expect((await scrape()).some((line) => line.includes('device="eth0"'))).toBe(true);
    const after = await scrape();
    expect(after.filter((line) => line.includes('device="eth0"'))).toEqual([]);
    expect(after).toContain('lichen_host_network_receive_bytes_total{device="lo"} 70000');
  });

  it('keeps the scrape going when the host cannot be read, and counts the failure', async () => {
    const { registry, scrape } = setup(fakeReader(new Error('EACCES /proc/stat'), snapshot));
    new Gauge({ name: 'lichen_other', help: 'another metric of the process', registers: [registry] }).set(7);
    const failed = await scrape();
    expect(failed).toContain('lichen_other 7');
    expect(failed).toContain('lichen_host_read_errors_total 1');
    expect(failed.filter((line) => /^lichen_host_(?!read_errors)/.test(line))).toEqual([]);
    const recovered = await scrape();
    expect(recovered).toContain('lichen_host_load1 0.22');
    expect(recovered).toContain('lichen_host_read_errors_total 1');
  });
});
