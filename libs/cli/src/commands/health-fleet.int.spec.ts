import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  startNatsServer,
  startRedisServer,
  startServerProcess,
  type ServerProcess,
  type TestNatsServer,
  type TestRedisServer,
} from '@lichen/testing';

// Several devices on one bus, as the nodes of a k3s cluster share one NATS: `lichen health` lists every device
// that answers and says which is which; `--device` asks one.
const lichen = fileURLToPath(new URL('../../bin/lichen.js', import.meta.url));

async function health(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await promisify(execFile)(process.execPath, [lichen, 'health', '--nats', nats.url, ...args])) };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

let nats: TestNatsServer;
let redis: TestRedisServer;
let dataDir: string;
const devices: ServerProcess[] = [];

beforeAll(async () => {
  [nats, redis, dataDir] = await Promise.all([
    startNatsServer({ jetstream: true, monitoring: true }),
    startRedisServer({ aof: true }),
    mkdtemp(join(tmpdir(), 'lichen-fleet-')),
  ]);
  for (const device of ['press-7', 'lathe-2']) {
    const port = await freePort();
    devices.push(
      await startServerProcess({
        name: device,
        command: process.execPath,
        port,
        args: () => [lichen, 'run', 'health-exporter'],
        env: {
          LICHEN_DEVICE_ID: device,
          LICHEN_DATA_DIR: join(dataDir, device),
          LICHEN_NATS_URL: nats.url,
          LICHEN_NATS_MONITOR_URL: nats.monitorUrl!,
          LICHEN_REDIS_URL: redis.url,
          LICHEN_METRICS_HOST: '127.0.0.1',
          LICHEN_METRICS_PORT: String(port),
          LICHEN_LOG_LEVEL: 'warn',
        },
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(devices.map((device) => device.stop({ removeData: true })));
  await Promise.all([nats?.stop({ removeData: true }), redis?.stop({ removeData: true })]);
  await rm(dataDir, { recursive: true, force: true });
});

describe('lichen health on a bus shared by several devices', () => {
  it('lists every device that answers, each under its own name', async () => {
    const { stdout } = await health();
    const names = [...stdout.matchAll(/^device {6}(\S+) {3}(?:OK|DEGRADED|CRITICAL)$/gm)].map((match) => match[1]);
    expect(names).toEqual(['lathe-2', 'press-7']);
    expect(stdout.match(/^bus {9}connected {3}nats up {3}redis up$/gm)).toHaveLength(2);
  });

  it('prints one JSON line per device with --json', async () => {
    const { stdout } = await health('--json');
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { deviceId: string });
    expect(lines.map((line) => line.deviceId)).toEqual(['lathe-2', 'press-7']);
  });

  it('asks only the named device with --device', async () => {
    const { stdout } = await health('--device', 'press-7');
    expect(stdout).toMatch(/^device {6}press-7 {3}/m);
    expect(stdout).not.toContain('lathe-2');
  });

  it('says so when the named device does not answer, and exits 1', async () => {
    const { code, stderr } = await health('--device', 'mill-9', '--timeout', '1000');
    expect(code).toBe(1);
    expect(stderr).toContain('lichen health: no service answers lichen.health.mill-9.get');
  });
});
