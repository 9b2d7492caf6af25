import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  requireCommand,
  startNatsServer,
  startPrometheus,
  startRedisServer,
  startServerProcess,
  waitFor,
  type ServerProcess,
  type TestNatsServer,
  type TestPrometheus,
  type TestRedisServer,
} from '@lichen/testing';

const lichen = fileURLToPath(new URL('../../../libs/cli/bin/lichen.js', import.meta.url));

let nats: TestNatsServer;
let redis: TestRedisServer;
let exporter: ServerProcess;
let prometheus: TestPrometheus;
let metricsPort: number;
let runDir: string | undefined;

beforeAll(async () => {
  [nats, redis, metricsPort] = await Promise.all([
    startNatsServer({ jetstream: true, monitoring: true }),
    startRedisServer({ aof: true }),
    freePort(),
  ]);
  exporter = await startServerProcess({
    name: 'health-exporter',
    command: process.execPath,
    port: metricsPort,
    args: () => [lichen, 'run', 'health-exporter'],
    env: {
      LICHEN_DATA_DIR: (runDir = await mkdtemp(join(tmpdir(), 'lichen-e2e-'))),
      LICHEN_DEVICE_ID: 'e2e-device',
      LICHEN_NATS_URL: nats.url,
      LICHEN_NATS_MONITOR_URL: nats.monitorUrl!,
      LICHEN_REDIS_URL: redis.url,
      LICHEN_METRICS_HOST: '127.0.0.1',
      LICHEN_METRICS_PORT: String(metricsPort),
    },
  });
  prometheus = await startPrometheus({ targets: [{ job: 'lichen', target: `127.0.0.1:${metricsPort}` }], scrapeInterval: '1s' });
});

afterAll(async () => {
  await prometheus?.stop({ removeData: true });
  await exporter?.stop({ removeData: true });
  await Promise.all([nats?.stop({ removeData: true }), redis?.stop({ removeData: true })]);
  if (runDir) await rm(runDir, { recursive: true, force: true });
});

async function single(promql: string): Promise<number> {
  return waitFor(async () => (await prometheus.query(promql))[0]?.value, { what: promql, timeoutMs: 30_000, intervalMs: 250 });
}

function meminfoBytes(meminfo: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(meminfo);
  if (!match) throw new Error(`no ${field} in /proc/meminfo`);
  return Number(match[1]) * 1024;
}

describe('Prometheus scraping the health exporter', () => {
  it('sees the target up and the exporter connected to NATS and Redis', async () => {
    expect(await single('up{job="lichen"}')).toBe(1);
    expect(await single('lichen_bus_connected')).toBe(1);
    expect(await single('lichen_nats_up')).toBe(1);
    expect(await single('lichen_redis_up')).toBe(1);
    expect(await single('lichen_redis_aof_enabled')).toBe(1);
  });

  it('gets host values that match /proc', async () => {
    const meminfo = await readFile('/proc/meminfo', 'utf8');
    expect(await single('lichen_host_memory_total_bytes')).toBe(meminfoBytes(meminfo, 'MemTotal'));
    const swapTotal = meminfoBytes(meminfo, 'SwapTotal');
    expect(await single('lichen_host_swap_total_bytes')).toBe(swapTotal);

    const stat = await readFile('/proc/stat', 'utf8');
    const bootTime = Number(/^btime (\d+)$/m.exec(stat)?.[1]);
    expect(await single('lichen_host_boot_time_seconds')).toBe(bootTime);

    const cpuSeries = await prometheus.query('count(lichen_host_cpu_seconds_total{mode="idle"})');
    expect(cpuSeries[0]?.value).toBe(cpus().length);

    const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
    expect(Math.abs((await single('lichen_host_uptime_seconds')) - uptime)).toBeLessThan(10);

    const interfaces = await prometheus.query('lichen_host_network_receive_bytes_total{device="lo"}');
    expect(interfaces).toHaveLength(1);
  });

  it('sees CPU time advance as a counter, usable with rate()', async () => {
    // Summed over all modes and CPUs, the host spends about one second per second per CPU. Prometheus
    // underestimates rate() while a series is younger than the window, so wait for the window to fill.
    const rate = await waitFor(
      async () => {
        const value = (await prometheus.query('sum(rate(lichen_host_cpu_seconds_total[5s]))'))[0]?.value;
        return value !== undefined && value > cpus().length * 0.7 && value;
      },
      { what: 'a CPU rate near the number of CPUs', timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(rate).toBeLessThan(cpus().length * 1.3);
  });

  it('serves a scrape that promtool check metrics accepts', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const check = spawnSync(requireCommand('promtool', 'prometheus'), ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('lichen health against the running exporter', () => {
  async function health(...args: string[]) {
    try {
      return { code: 0, ...(await promisify(execFile)(process.execPath, [lichen, 'health', '--nats', nats.url, ...args])) };
    } catch (error) {
      return error as { code: number; stdout: string; stderr: string };
    }
  }

  it('prints the device heartbeat for a person', async () => {
    const { code, stdout } = await health();
    expect([0, 2]).toContain(code); // 0 when OK, 2 when this machine is DEGRADED (a full disk, say)
    expect(stdout).toMatch(/^device {6}e2e-device {3}(OK|DEGRADED|CRITICAL)$/m);
    expect(stdout).toContain('bus         connected   nats up   redis up');
    expect(stdout).toMatch(/^versions {4}lichen 0\.1\.0, nodejs [\d.]+, nats-server [\d.]+, redis [\d.]+$/m);
  });

  it('prints it as proto3 JSON with --json', async () => {
    const { stdout } = await health('--json');
    expect(JSON.parse(stdout)).toMatchObject({
      deviceId: 'e2e-device',
      summary: { busConnected: true, natsUp: true, redisUp: true },
    });
  });
});
