import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCommand } from '@lichen/testing';
import { HostReadError } from '../domain/host/host-reader.js';
import { registerHostMetrics } from '../metrics/host.metrics.js';
import { ProcfsAdapter } from './procfs.adapter.js';

const samples = fileURLToPath(new URL('../domain/host/samples/', import.meta.url));

describe('ProcfsAdapter on this machine', () => {
  const adapter = new ProcfsAdapter();

  it('reads the memory and CPUs Node sees', async () => {
    const host = await adapter.read();
    expect(host.memory.totalBytes).toBe(os.totalmem());
    expect(host.cpus).toHaveLength(os.cpus().length);
    expect(host.processes.total).toBeGreaterThan(1);
  });

  it('reports the file system holding this checkout, with a size', async () => {
    const host = await adapter.read();
    const cwd = process.cwd();
    const holding = host.filesystems
      .filter((fs) => cwd === fs.mountpoint || cwd.startsWith(fs.mountpoint.endsWith('/') ? fs.mountpoint : `${fs.mountpoint}/`))
      .sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0];
    expect(holding?.sizeBytes).toBeGreaterThan(0);
    expect(holding?.availBytes).toBeGreaterThan(0);
    expect(host.filesystems.map((fs) => fs.fstype)).not.toContain('proc');
  });

  it('lists the loopback interface and an uptime that agrees with Node', async () => {
    const host = await adapter.read();
    expect(host.network.map((nic) => nic.device)).toContain('lo');
    expect(Math.abs((host.uptimeSeconds ?? 0) - os.uptime())).toBeLessThan(2);
    expect(host.bootTimeSeconds).toBeCloseTo(Date.now() / 1000 - os.uptime(), -1);
  });

  it('reads the whole host in well under a scrape budget of 20 ms', async () => {
    await adapter.read();
    const started = performance.now();
    for (let i = 0; i < 10; i += 1) await adapter.read();
    expect((performance.now() - started) / 10).toBeLessThan(20);
  });
});

describe('ProcfsAdapter with its roots elsewhere, as in a container', () => {
  let root: string;
  let adapter: ProcfsAdapter;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lichen-procfs-'));
    const proc = join(root, 'proc');
    for (const pid of ['1', '2', '300']) await mkdir(join(proc, pid), { recursive: true });
    await mkdir(join(proc, 'self'));
    await mkdir(join(proc, '1/net'));
    for (const file of ['stat', 'meminfo', 'loadavg', 'uptime', 'mounts'])
      await cp(join(samples, `${file}.txt`), join(proc, file));
    await cp(join(samples, 'net-dev.txt'), join(proc, '1/net/dev'));
    const thermal = join(root, 'sys/class/thermal');
    await mkdir(join(thermal, 'thermal_zone0'), { recursive: true });
    await writeFile(join(thermal, 'thermal_zone0/type'), 'x86_pkg_temp\n');
    await writeFile(join(thermal, 'thermal_zone0/temp'), '45500\n');
    await mkdir(join(thermal, 'thermal_zone1'));
    await writeFile(join(thermal, 'thermal_zone1/type'), 'acpitz\n'); // no temp: left out
    await mkdir(join(thermal, 'cooling_device0'));
    await mkdir(join(root, 'rootfs'));
    adapter = new ProcfsAdapter({ procRoot: proc, sysRoot: join(root, 'sys'), rootfs: join(root, 'rootfs') });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads the recorded samples', async () => {
    const host = await adapter.read();
    expect(host.cpus.map((cpu) => cpu.cpu)).toEqual(['0', '1']);
    expect(host.cpus[0]?.seconds.user).toBe(58.56);
    expect(host.load).toEqual({ load1: 0.22, load5: 0.26, load15: 0.17 });
    expect(host.memory.totalBytes).toBe(24683652 * 1024);
    expect(host.processes).toEqual({ total: 3, running: 2, blocked: 0, forksTotal: 9948, contextSwitchesTotal: 1517111 });
    expect(host.network.find((nic) => nic.device === 'eth0')?.receive.bytes).toBe(547770921);
    expect(host.uptimeSeconds).toBe(507.29);
    expect(host.bootTimeSeconds).toBe(1795693821);
  });

  it('reads the thermal zones under the sys root', async () => {
    expect((await adapter.read()).thermalZones).toEqual([{ zone: '0', type: 'x86_pkg_temp', celsius: 45.5 }]);
  });

  it('stats mountpoints under the rootfs and counts the ones it cannot stat', async () => {
    const host = await adapter.read();
    // The sample mounts /dev/vda on / and on /var/lib/docker; only / exists under the fake rootfs.
    expect(host.filesystems.map((fs) => [fs.device, fs.mountpoint, fs.fstype])).toEqual([['/dev/vda', '/', 'ext4']]);
    expect(host.filesystems[0]?.sizeBytes).toBeGreaterThan(0);
    expect(host.filesystemErrors).toBe(1);
  });

  it('rejects with a HostReadError when the proc root holds no proc', async () => {
    const nowhere = new ProcfsAdapter({ procRoot: join(root, 'missing') });
    await expect(nowhere.read()).rejects.toBeInstanceOf(HostReadError);
  });
});

describe('host metrics read from this machine', () => {
  it('pass promtool check metrics', async () => {
    const promtool = requireCommand('promtool', 'prometheus');
    const registry = new Registry();
    registerHostMetrics(registry, new ProcfsAdapter());
    const text = await registry.metrics();
    expect(text).toContain('lichen_host_cpu_seconds_total{cpu="0",mode="idle"}');
    const check = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({ status: 0, output: '' });
  });
});
